import Testing

@testable import Postgres

/// The pool's decisions, without threads or a database.
@Suite struct PoolStateMachineTests {
    @Test func startsWorkersLazilyUpToSize() {
        var machine = PoolStateMachine(size: 2)
        #expect(machine.acquire(1) == .startWorker(0, job: 1))
        #expect(machine.acquire(2) == .startWorker(1, job: 2))
        #expect(machine.acquire(3) == .wait(3))
        #expect(machine.busyCount == 2)
        #expect(machine.waitingCount == 1)
    }

    @Test func reusesIdleWorkerBeforeStartingAnother() {
        var machine = PoolStateMachine(size: 4)
        #expect(machine.acquire(1) == .startWorker(0, job: 1))
        #expect(machine.jobFinished(worker: 0) == .idle)
        #expect(machine.idleCount == 1)
        #expect(machine.acquire(2) == .run(2, on: 0))
        #expect(machine.workers.count == 1)
    }

    @Test func assignsWaitersInArrivalOrder() {
        var machine = PoolStateMachine(size: 1)
        _ = machine.acquire(1)
        for job: UInt64 in 2...5 { #expect(machine.acquire(job) == .wait(job)) }
        #expect(machine.jobFinished(worker: 0) == .run(2))
        #expect(machine.jobFinished(worker: 0) == .run(3))
        #expect(machine.jobFinished(worker: 0) == .run(4))
        #expect(machine.jobFinished(worker: 0) == .run(5))
        #expect(machine.jobFinished(worker: 0) == .idle)
    }

    @Test func timeoutRemovesWaiterAndIsCounted() {
        var machine = PoolStateMachine(size: 1)
        _ = machine.acquire(1)
        _ = machine.acquire(2)
        _ = machine.acquire(3)
        #expect(machine.waiterTimedOut(2) == true)
        #expect(machine.waitingCount == 1)
        #expect(machine.timeoutsTotal == 1)
        // The timed-out job is skipped; the next waiter gets the worker.
        #expect(machine.jobFinished(worker: 0) == .run(3))
        #expect(machine.jobFinished(worker: 0) == .idle)
    }

    @Test func timedOutWaiterIsNeverAssigned() {
        var machine = PoolStateMachine(size: 1)
        _ = machine.acquire(1)
        _ = machine.acquire(2)
        #expect(machine.waiterTimedOut(2) == true)
        #expect(machine.jobFinished(worker: 0) == .idle)
        // A late second timeout of the same job changes nothing.
        #expect(machine.waiterTimedOut(2) == false)
        #expect(machine.timeoutsTotal == 1)
    }

    @Test func timeoutAfterAssignmentIsIgnored() {
        var machine = PoolStateMachine(size: 1)
        _ = machine.acquire(1)
        _ = machine.acquire(2)
        #expect(machine.jobFinished(worker: 0) == .run(2))
        #expect(machine.waiterTimedOut(2) == false)
        #expect(machine.timeoutsTotal == 0)
    }

    @Test func timeoutOfUnknownJobIsIgnored() {
        var machine = PoolStateMachine(size: 1)
        #expect(machine.waiterTimedOut(42) == false)
    }

    @Test func shutdownFailsWaitersStopsIdleWorkersAndWaitsForBusyOnes() {
        var machine = PoolStateMachine(size: 2)
        _ = machine.acquire(1)  // worker 0
        _ = machine.acquire(2)  // worker 1
        #expect(machine.jobFinished(worker: 1) == .idle)
        _ = machine.acquire(3)  // runs on worker 1
        _ = machine.acquire(4)  // waits
        _ = machine.acquire(5)  // waits
        #expect(machine.jobFinished(worker: 1) == .run(4))
        #expect(machine.jobFinished(worker: 1) == .run(5))
        #expect(machine.jobFinished(worker: 1) == .idle)
        _ = machine.acquire(6)  // worker 1
        _ = machine.acquire(7)  // waits
        _ = machine.acquire(8)  // waits
        #expect(machine.jobFinished(worker: 1) == .run(7))

        let action = machine.shutdown()
        #expect(action == .init(failWaiters: [8], stopWorkers: [], isComplete: false))
        #expect(machine.lifecycle == .shuttingDown)
        #expect(machine.acquire(9) == .failClosed(9))
        // Busy workers finish their job, then stop.
        #expect(machine.jobFinished(worker: 0) == .stop)
        #expect(machine.workerStopped(0) == false)
        #expect(machine.jobFinished(worker: 1) == .stop)
        #expect(machine.workerStopped(1) == true)
        #expect(machine.lifecycle == .shutDown)
    }

    @Test func shutdownStopsIdleWorkers() {
        var machine = PoolStateMachine(size: 3)
        _ = machine.acquire(1)
        _ = machine.acquire(2)
        #expect(machine.jobFinished(worker: 0) == .idle)
        #expect(machine.jobFinished(worker: 1) == .idle)
        let action = machine.shutdown()
        #expect(action.failWaiters.isEmpty)
        #expect(Set(action.stopWorkers) == [0, 1])
        #expect(!action.isComplete)
        #expect(machine.workerStopped(0) == false)
        #expect(machine.workerStopped(1) == true)
        #expect(machine.lifecycle == .shutDown)
    }

    @Test func shutdownWithoutWorkersCompletesAtOnce() {
        var machine = PoolStateMachine(size: 3)
        #expect(machine.shutdown().isComplete)
        #expect(machine.lifecycle == .shutDown)
        #expect(machine.shutdown() == .init(failWaiters: [], stopWorkers: [], isComplete: true))
        #expect(machine.acquire(1) == .failClosed(1))
    }

    @Test func timeoutDuringShutdownIsIgnored() {
        var machine = PoolStateMachine(size: 1)
        _ = machine.acquire(1)
        _ = machine.acquire(2)
        #expect(machine.shutdown().failWaiters == [2])
        #expect(machine.waiterTimedOut(2) == false)
    }

    @Test func fifoSetKeepsOrderAcrossRemovals() {
        var set = FIFOSet<UInt64>()
        for value: UInt64 in 0..<200 { set.append(value) }
        for value: UInt64 in stride(from: 0, to: 200, by: 2) { #expect(set.remove(value) == true) }
        var popped = [UInt64]()
        while let value = set.popFirst() { popped.append(value) }
        #expect(popped == Array(stride(from: 1, to: 200, by: 2)))
        #expect(set.isEmpty)
    }

    @Test func withdrawnWaiterLeavesTheQueueAndRunningJobIsInterrupted() {
        var machine = PoolStateMachine(size: 1)
        #expect(machine.acquire(1) == .startWorker(0, job: 1))
        #expect(machine.acquire(2) == .wait(2))
        #expect(machine.acquire(3) == .wait(3))
        // A waiting caller gives up: it leaves the queue and is never assigned.
        #expect(machine.withdraw(2) == .failWaiter)
        #expect(machine.withdrawnTotal == 1)
        #expect(machine.waiterTimedOut(2) == false)
        // A running job is interrupted on its worker.
        #expect(machine.withdraw(1) == .interrupt(0))
        #expect(machine.jobFinished(worker: 0) == .run(3))
        #expect(machine.withdraw(1) == .none)
        #expect(machine.runningJobs.map(\.job) == [3])
        #expect(machine.jobFinished(worker: 0) == .idle)
        #expect(machine.withdraw(3) == .none)
    }
    // MARK: Limited jobs (command slots)

    @Test func limitedJobsWaitForTheLimitWhileWorkersAreFree() {
        var machine = PoolStateMachine(size: 4, limitedJobs: 2)
        #expect(machine.acquire(1, kind: .limited) == .startWorker(0, job: 1))
        #expect(machine.acquire(2, kind: .limited) == .startWorker(1, job: 2))
        #expect(machine.acquire(3, kind: .limited) == .wait(3))
        #expect(machine.limitedBusyCount == 2)
        // Long work still finds a connection.
        #expect(machine.acquire(4) == .startWorker(2, job: 4))
        // Its end frees no slot: the limited waiter keeps waiting.
        #expect(machine.jobFinished(worker: 2) == .idle)
        #expect(machine.isWaiting(3))
        // A limited job's end does.
        #expect(machine.jobFinished(worker: 0) == .run(3))
        #expect(machine.limitedBusyCount == 2)
        #expect(machine.waitingCount == 0)
        #expect(machine.jobFinished(worker: 0) == .idle)
        #expect(machine.jobFinished(worker: 1) == .idle)
        #expect(machine.limitedBusyCount == 0)
    }

    @Test func freedWorkerTakesTheEarliestWaiterThatMayRun() {
        var machine = PoolStateMachine(size: 2, limitedJobs: 1)
        _ = machine.acquire(1, kind: .limited)  // worker 0
        _ = machine.acquire(2)  // worker 1
        #expect(machine.acquire(3, kind: .limited) == .wait(3))  // the limit
        #expect(machine.acquire(4) == .wait(4))  // no worker
        #expect(machine.acquire(5, kind: .limited) == .wait(5))
        // Job 1 frees a slot and a worker: 3 came before 4.
        #expect(machine.jobFinished(worker: 0) == .run(3))
        // Job 2 frees a worker only: 4 may run, 5 may not.
        #expect(machine.jobFinished(worker: 1) == .run(4))
        #expect(machine.jobFinished(worker: 1) == .idle)
        #expect(machine.jobFinished(worker: 0) == .run(5))
        #expect(machine.waitingCount == 0)
    }

    @Test func limitedWaitersTimeOutAreWithdrawnAndFailAtShutdown() {
        var machine = PoolStateMachine(size: 2, limitedJobs: 1)
        _ = machine.acquire(1, kind: .limited)
        _ = machine.acquire(2, kind: .limited)
        _ = machine.acquire(3, kind: .limited)
        _ = machine.acquire(4, kind: .limited)
        let timedOut = machine.waiterTimedOut(2)
        #expect(timedOut)
        #expect(machine.withdraw(3) == .failWaiter)
        _ = machine.acquire(5)  // worker 1
        _ = machine.acquire(6)  // waits for a worker
        #expect(machine.waitingCount == 2)
        #expect(machine.shutdown().failWaiters == [4, 6])
        #expect(machine.jobFinished(worker: 0) == .stop)
    }

    @Test func limitIsBetweenOneAndTheSize() {
        #expect(PoolStateMachine(size: 4).limitedJobs == 4)
        #expect(PoolStateMachine(size: 4, limitedJobs: 9).limitedJobs == 4)
        #expect(PoolStateMachine(size: 4, limitedJobs: 0).limitedJobs == 1)
    }
}
