import Synchronization
import Testing

@testable import Postgres

/// The order of acquire deadlines without threads, and the timer thread that
/// fails waiting jobs (issue 17: one thread per pool instead of a dispatch
/// timer per waiting job).
@Suite struct AcquireDeadlinesTests {
    @Test func expiresInDeadlineOrderAndKeepsTheRest() {
        var queue = DeadlineQueue<Int>()
        #expect(queue.isEmpty && queue.earliest == nil && queue.wakeTime(slack: 5) == nil)
        let firsts = [queue.insert(1, deadline: 100), queue.insert(2, deadline: 100), queue.insert(3, deadline: 150)]
        #expect(firsts == [true, false, false])
        #expect(queue.earliest == 100)
        #expect(queue.wakeTime(slack: 20) == 120)
        let early = queue.removeExpired(at: 99)
        let due = queue.removeExpired(at: 120)
        #expect(early == [] && due == [1, 2])
        #expect(queue.count == 1 && queue.earliest == 150)
        let last = queue.removeExpired(at: 150)
        #expect(last == [3])
        #expect(queue.isEmpty)
    }

    @Test func anEarlierDeadlineGoesFirstAndSaysSo() {
        var queue = DeadlineQueue<Int>()
        queue.insert(1, deadline: 200)
        queue.insert(2, deadline: 300)
        let between = queue.insert(3, deadline: 250)
        let before = queue.insert(4, deadline: 50)
        #expect(!between && before)
        let all = queue.removeExpired(at: 1_000)
        #expect(all == [4, 1, 3, 2])
    }

    @Test func spentEntriesAreDroppedAsTheQueueMoves() {
        var queue = DeadlineQueue<Int>()
        for id in 0..<1_000 { queue.insert(id, deadline: UInt64(id)) }
        var seen: [Int] = []
        for now in stride(from: 0, to: 1_000, by: 7) { seen += queue.removeExpired(at: UInt64(now)) }
        seen += queue.removeExpired(at: 1_000)
        #expect(seen == Array(0..<1_000))
        #expect(queue.isEmpty)
    }

    @Test func noOverflowNearTheEndOfTime() {
        var queue = DeadlineQueue<Int>()
        queue.insert(1, deadline: .max - 1)
        #expect(queue.wakeTime(slack: 10) == .max)
    }

    @Test func everyJobExpiresOnceAndTheThreadStartsAgainAfterIdling() async throws {
        let deadlines = AcquireDeadlines(timeout: .milliseconds(30))
        let expired = Mutex<[Int]>([])
        deadlines.onExpiry { id in expired.withLock { $0.append(Int(id)) } }
        for id in 1...5 { deadlines.add(PoolStateMachine.JobID(id)) }
        try await waitUntil { expired.withLock { $0.count } == 5 }
        // Long enough for the thread to find nothing left and end.
        try await Task.sleep(for: .milliseconds(200))
        for id in 6...8 { deadlines.add(PoolStateMachine.JobID(id)) }
        try await waitUntil { expired.withLock { $0.count } == 8 }
        #expect(expired.withLock { $0 } == Array(1...8))
    }
}
