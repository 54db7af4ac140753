@testable import Postgres
import Testing

/// `CommitGroupStateMachine`: which members a carrier takes, when the next
/// carrier is submitted, and what a cancellation does, without a database.
@Suite struct CommitGroupStateMachineTests {
    @Test func oneCarrierServesEveryoneWaitingWhenItStarts() {
        var machine = CommitGroupStateMachine(limit: 8)
        #expect(machine.join(1) == 1)
        #expect(machine.join(2) == nil)
        #expect(machine.join(3) == nil)
        #expect(machine.waitingCarrier == 1)
        #expect(machine.carrierStarted(1) == .init(members: [1, 2, 3], another: nil))
        // Arrivals while it runs wait for the next, submitted when it ends.
        #expect(machine.join(4) == nil)
        #expect(machine.join(5) == nil)
        #expect(machine.waitingCarrier == nil)
        #expect(machine.carrierEnded(1) == 2)
        #expect(machine.carrierStarted(2) == .init(members: [4, 5], another: nil))
        #expect(machine.carrierEnded(2) == nil)
        #expect(machine.runningCarriers.isEmpty)
        #expect(machine.join(6) == 3)
    }

    /// A queue longer than a group gets a second carrier at once; the
    /// carriers ending then submit no third while one waits.
    @Test func aCarrierLeavingMembersBehindAsksForAnother() {
        var machine = CommitGroupStateMachine(limit: 2)
        #expect(machine.join(1) == 1)
        for member: UInt64 in 2...5 { #expect(machine.join(member) == nil) }
        #expect(machine.carrierStarted(1) == .init(members: [1, 2], another: 2))
        #expect(machine.carrierStarted(2) == .init(members: [3, 4], another: 3))
        #expect(machine.carrierEnded(1) == nil)  // carrier 3 waits already
        #expect(machine.carrierStarted(3) == .init(members: [5], another: nil))
        #expect(machine.join(6) == nil)  // carriers 2 and 3 run
        #expect(machine.carrierEnded(2) == 4)
        #expect(machine.carrierEnded(3) == nil)
        #expect(machine.carrierStarted(4) == .init(members: [6], another: nil))
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

    /// Only the waiting carrier starts with members, and only a running one ends.
    @Test func aCarrierNotWaitingTakesNobodyAndEndsNothing() {
        var machine = CommitGroupStateMachine(limit: 8)
        _ = machine.join(1)
        #expect(machine.carrierStarted(9) == .init(members: [], another: nil))
        #expect(machine.carrierEnded(9) == nil)
        #expect(machine.waitingCarrier == 1)
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
    /// connection) takes the waiting members down with it, and the next
    /// arrival gets a new carrier.
    @Test func aCarrierFailingBeforeItStartsFailsTheWaiters() {
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
        #expect(machine.carrierEnded(1) == nil)
        #expect(machine.join(2) == 2)
    }

    /// With two command slots, a second group starts beside the one at
    /// work once half a group waits; never a third.
    @Test func halfAGroupWaitingStartsAnotherBesideTheOneAtWork() {
        var machine = CommitGroupStateMachine(limit: 4, concurrency: 2)
        #expect(machine.join(1) == 1)
        #expect(machine.carrierStarted(1) == .init(members: [1], another: nil))
        #expect(machine.join(2) == nil)  // a quarter of a group waits
        #expect(machine.join(3) == 2)  // half a group: another beside carrier 1
        #expect(machine.join(4) == nil)  // carrier 2 waits already
        #expect(machine.carrierStarted(2) == .init(members: [2, 3, 4], another: nil))
        #expect(machine.join(5) == nil)
        #expect(machine.join(6) == nil)  // two at work: the slots are full
        #expect(machine.carrierEnded(1) == 3)
        #expect(machine.carrierStarted(3) == .init(members: [5, 6], another: nil))
    }
}
