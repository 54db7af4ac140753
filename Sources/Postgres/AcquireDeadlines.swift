import Dispatch
import Foundation
import Synchronization

/// The acquire deadlines of waiting jobs, earliest first. Pure: `AcquireDeadlines`
/// runs it on a thread; tests drive it with plain numbers.
///
/// A job is not removed when it gets a connection: its entry stays until its
/// deadline, and the pool then finds it no longer waiting. Every job of a pool
/// waits the same `acquireTimeout`, so an insert is nearly always an append;
/// callers read the clock before taking the lock, so two racing inserts may
/// arrive a hair out of order, and `insert` walks back past them.
struct DeadlineQueue<ID>: Sendable where ID: Sendable {
    private var entries: [(deadline: UInt64, id: ID)] = []
    /// Entries before `head` are spent; dropped in bulk, not one by one.
    private var head = 0

    var isEmpty: Bool { head == entries.count }
    var count: Int { entries.count - head }

    /// The earliest deadline (nanoseconds on the caller's clock), if any.
    var earliest: UInt64? { isEmpty ? nil : entries[head].deadline }

    /// Adds `id`; `true` when it is now the earliest (a sleeping timer must wake earlier).
    @discardableResult
    mutating func insert(_ id: ID, deadline: UInt64) -> Bool {
        var position = entries.count
        while position > head, entries[position - 1].deadline > deadline { position -= 1 }
        entries.insert((deadline, id), at: position)
        return position == head
    }

    /// Removes and returns, in deadline order, the entries due at `now`.
    mutating func removeExpired(at now: UInt64) -> [ID] {
        var expired: [ID] = []
        while head < entries.count, entries[head].deadline <= now {
            expired.append(entries[head].id)
            head += 1
        }
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return expired
    }

    /// When a timer should next wake: the earliest deadline plus `slack`, so
    /// that one wake-up serves every deadline within `slack` of the first.
    func wakeTime(slack: UInt64) -> UInt64? {
        earliest.map { $0.addingReportingOverflow(slack).overflow ? UInt64.max : $0 + slack }
    }
}

/// Fails jobs that waited `acquireTimeout` for a connection, from one thread
/// per pool that sleeps until the earliest deadline.
///
/// It replaced one `DispatchQueue.asyncAfter` per waiting job: with more
/// connections than command slots most commands wait a moment, and arming,
/// firing and disposing a dispatch timer per command was 19 % of the daemon's
/// CPU in a DOSSIER SHOW profile (libdispatch's manager thread 13.6 %, the
/// expired timers' blocks 5.8 %). A deadline fires up to `slack` late; one
/// wake-up then serves every deadline within the slack, so under steady load
/// the thread wakes at most once per slack instead of once per command. The
/// thread ends when no deadline is left and starts again with the next one.
final class AcquireDeadlines: Sendable {
    typealias JobID = PoolStateMachine.JobID

    private struct State {
        var queue = DeadlineQueue<JobID>()
        var threadRunning = false
    }

    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)
    private let timeout: UInt64?
    private let slack: UInt64
    /// Set once by the pool after its own init (it refers to the pool weakly).
    private let expire = Mutex<(@Sendable (JobID) -> Void)?>(nil)

    init(timeout: Duration) {
        let nanoseconds = Self.nanoseconds(timeout)
        self.timeout = nanoseconds
        // A tenth of the timeout, at most 100 ms: 5 s fires by 5.1 s.
        self.slack = min((nanoseconds ?? 0) / 10, 100_000_000)
    }

    /// `handler` is called (on the timer's thread, no lock held) for every job
    /// whose deadline passed, whether or not it still waits.
    func onExpiry(_ handler: @escaping @Sendable (JobID) -> Void) {
        expire.withLock { $0 = handler }
    }

    /// Starts `id`'s clock. A timeout too long to represent never fires.
    func add(_ id: JobID) {
        guard let timeout else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let deadline = now.addingReportingOverflow(timeout).overflow ? UInt64.max : now + timeout
        enum Next { case startThread, wakeThread, nothing }
        let next: Next = state.withLock { state in
            let earliest = state.queue.insert(id, deadline: deadline)
            if !state.threadRunning {
                state.threadRunning = true
                return .startThread
            }
            return earliest ? .wakeThread : .nothing
        }
        switch next {
        case .startThread:
            let thread = Thread { [self] in run() }
            thread.name = "postgres-pool-deadlines"
            thread.start()
        case .wakeThread:
            wakeup.signal()
        case .nothing:
            break
        }
    }

    private func run() {
        while true {
            let (expired, wake): ([JobID], UInt64?) = state.withLock { state in
                let expired = state.queue.removeExpired(at: DispatchTime.now().uptimeNanoseconds)
                let wake = state.queue.wakeTime(slack: slack)
                // Nothing left to time: end; the next `add` starts a new thread.
                if wake == nil, expired.isEmpty { state.threadRunning = false }
                return (expired, wake)
            }
            if !expired.isEmpty, let handler = expire.withLock({ $0 }) {
                for id in expired { handler(id) }
            }
            guard let wake else {
                if expired.isEmpty { return }
                continue  // deadlines may have been added while these expired
            }
            // A leftover signal only makes an early, harmless pass.
            _ = wakeup.wait(timeout: DispatchTime(uptimeNanoseconds: wake))
        }
    }

    /// `nil` past ~126 years, where nanoseconds would no longer add up safely.
    private static func nanoseconds(_ duration: Duration) -> UInt64? {
        duration < .seconds(4_000_000_000) ? UInt64(max(0, duration.inNanoseconds)) : nil
    }
}
