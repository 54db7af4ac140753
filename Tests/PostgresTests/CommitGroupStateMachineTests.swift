@testable import Postgres
import Testing

/// `CommitGroupStateMachine`: which members a carrier takes, when another
/// carrier is needed, and what a cancellation does, without a database.
@Suite struct CommitGroupStateMachineTests {
    @Test func oneCarrierWaitsForAllWaitingMembers() {
        var machine = CommitGroupStateMachine(limit: 8)
        #expect(machine.join(1) == 1)
        #expect(machine.join(2) == nil)
        #expect(machine.join(3) == nil)
        #expect(machine.waitingCarrier == 1)
        #expect(machine.carrierStarted(1) == .init(members: [1, 2, 3], another: nil))
        #expect(machine.waitingCarrier == nil)
        // The next arrival needs a carrier of its own.
        #expect(machine.join(4) == 2)
    }

    @Test func aCarrierTakesAtMostTheLimitInArrivalOrderAndAsksForAnother() {
        var machine = CommitGroupStateMachine(limit: 2)
        #expect(machine.join(1) == 1)
        for member: UInt64 in 2...5 { #expect(machine.join(member) == nil) }
        #expect(machine.carrierStarted(1) == .init(members: [1, 2], another: 2))
        #expect(machine.join(6) == nil)  // carrier 2 waits already
        #expect(machine.carrierStarted(2) == .init(members: [3, 4], another: 3))
        #expect(machine.carrierStarted(3) == .init(members: [5, 6], another: nil))
        #expect(machine.waitingCount == 0)
    }

    @Test func aLimitOfOneIsACarrierPerMember() {
        var machine = CommitGroupStateMachine(limit: 1)
        #expect(machine.join(1) == 1)
        #expect(machine.join(2) == nil)
        #expect(machine.carrierStarted(1) == .init(members: [1], another: 2))
        #expect(machine.carrierStarted(2) == .init(members: [2], another: nil))
        #expect(CommitGroupStateMachine(limit: 0).limit == 1)
    }

    @Test func aCancelledWaiterLeavesAndATakenOneInterruptsItsCarrier() {
        var machine = CommitGroupStateMachine(limit: 8)
        _ = machine.join(1)
        _ = machine.join(2)
        #expect(machine.cancel(2) == .failWaiting)
        #expect(machine.carrierStarted(1) == .init(members: [1], another: nil))
        #expect(machine.cancel(1) == .interrupt(1))
        machine.left(1)
        #expect(machine.cancel(1) == .none)
        #expect(machine.cancel(9) == .none)
    }

    /// A carrier that never started (pool timeout, pool closed, no
    /// connection) takes its waiting members down with it, and the next
    /// arrival gets a new carrier.
    @Test func aCarrierFailingBeforeItStartsFailsItsWaiters() {
        var machine = CommitGroupStateMachine(limit: 8)
        _ = machine.join(1)
        _ = machine.join(2)
        #expect(machine.carrierFailedBeforeStart(7) == [])  // not the waiting carrier
        #expect(machine.carrierFailedBeforeStart(1) == [1, 2])
        #expect(machine.waitingCarrier == nil)
        #expect(machine.join(3) == 2)
    }

    /// A carrier that finds nobody (its members were cancelled) ends at once.
    @Test func aCarrierMayFindNobody() {
        var machine = CommitGroupStateMachine(limit: 8)
        _ = machine.join(1)
        #expect(machine.cancel(1) == .failWaiting)
        #expect(machine.carrierStarted(1) == .init(members: [], another: nil))
    }
}
