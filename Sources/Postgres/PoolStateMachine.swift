/// The decisions of `ConnectionPool`, without threads, clocks or I/O.
///
/// Events go in (a job arrives, a worker finishes, a wait times out, shutdown),
/// actions come out (run this job on that worker, start a worker, fail a job).
/// The pool performs the actions. Invariants kept here:
/// - at most `size` workers exist; they are started lazily, one per job that
///   finds no idle worker;
/// - at most `limitedJobs` jobs of kind `.limited` run at once; a limited job
///   beyond them waits even when a worker is free, which stays for unlimited
///   jobs (`JobKind`);
/// - waiting jobs are assigned in arrival order (FIFO) among those that may
///   run (a limited job waiting for the limit is passed by unlimited ones);
/// - a job that timed out is removed and can never be assigned later;
/// - every job gets exactly one outcome: run once, or failed once.
struct PoolStateMachine: Sendable {
    typealias JobID = UInt64
    typealias WorkerID = Int

    enum WorkerState: Sendable, Equatable {
        case idle
        case busy(JobID)
        /// Told to stop (or stopping on its own at shutdown); not yet gone.
        case stopping
        case stopped
    }

    enum Lifecycle: Sendable, Equatable {
        case running
        case shuttingDown
        case shutDown
    }

    enum AcquireAction: Sendable, Equatable {
        /// Hand the job to this idle worker.
        case run(JobID, on: WorkerID)
        /// Create worker `WorkerID` (thread + connection) and give it this job.
        case startWorker(WorkerID, job: JobID)
        /// The job waits; arm its timeout.
        case wait(JobID)
        /// The pool is closed: fail the job with `.poolClosed`.
        case failClosed(JobID)
    }

    enum FinishedAction: Sendable, Equatable {
        /// The same worker runs this waiting job next.
        case run(JobID)
        /// Nothing waits: the worker sleeps until woken.
        case idle
        /// Shutting down: the worker closes its connection and ends.
        case stop
    }

    struct ShutdownAction: Sendable, Equatable {
        /// Waiting jobs to fail with `.poolClosed`.
        var failWaiters: [JobID]
        /// Idle workers to wake so they stop.
        var stopWorkers: [WorkerID]
        /// No worker is left running: shutdown is already complete.
        var isComplete: Bool
    }

    let size: Int
    /// At most this many `.limited` jobs run at once (1...size).
    let limitedJobs: Int
    private(set) var workers: [WorkerState] = []
    private(set) var lifecycle: Lifecycle = .running
    /// Idle workers; the most recently used is reused first so its connection stays warm.
    private var idleWorkers: [WorkerID] = []
    private var waiters = FIFOSet<JobID>()
    /// Limited jobs waiting, for a worker or for the limit.
    private var limitedWaiters = FIFOSet<JobID>()
    /// Limited jobs running (they count against `limitedJobs`).
    private var limitedRunning: Set<JobID> = []
    private(set) var timeoutsTotal = 0
    private(set) var withdrawnTotal = 0

    init(size: Int, limitedJobs: Int? = nil) {
        precondition(size > 0, "pool size must be positive")
        self.size = size
        self.limitedJobs = min(size, max(1, limitedJobs ?? size))
    }

    // MARK: Events

    /// `job` arrives; job ids grow with arrival (they order the waiters).
    mutating func acquire(_ job: JobID, kind: JobKind = .unlimited) -> AcquireAction {
        switch lifecycle {
        case .shuttingDown, .shutDown:
            return .failClosed(job)
        case .running:
            switch kind {
            case .limited:
                guard limitedRunning.count < limitedJobs, let action = assignFreeWorker(job) else {
                    limitedWaiters.append(job)
                    return .wait(job)
                }
                limitedRunning.insert(job)
                return action
            case .unlimited:
                guard let action = assignFreeWorker(job) else {
                    waiters.append(job)
                    return .wait(job)
                }
                return action
            }
        }
    }

    /// An idle worker, else a new one, for `job`; nil when all `size` are busy.
    private mutating func assignFreeWorker(_ job: JobID) -> AcquireAction? {
        if let worker = idleWorkers.popLast() {
            workers[worker] = .busy(job)
            return .run(job, on: worker)
        }
        if workers.count < size {
            let worker = workers.count
            workers.append(.busy(job))
            return .startWorker(worker, job: job)
        }
        return nil
    }

    mutating func jobFinished(worker: WorkerID) -> FinishedAction {
        switch workers[worker] {
        case .busy(let job):
            limitedRunning.remove(job)
        case .idle, .stopping, .stopped:
            preconditionFailure("worker \(worker) finished a job it was not running: \(workers[worker])")
        }
        switch lifecycle {
        case .shuttingDown, .shutDown:
            workers[worker] = .stopping
            return .stop
        case .running:
            if let next = nextWaiter() {
                workers[worker] = .busy(next)
                return .run(next)
            }
            workers[worker] = .idle
            idleWorkers.append(worker)
            return .idle
        }
    }

    /// The waiter a freed worker runs: the earlier of the first unlimited
    /// waiter and the first limited one, the latter only below the limit.
    /// One freed worker is enough to keep every job that could run from
    /// waiting: an unlimited job waits only while every worker is busy, and a
    /// limited one also while the limit is full, which only the end of a
    /// limited job changes, and that end frees this worker.
    private mutating func nextWaiter() -> JobID? {
        let unlimited = waiters.first()
        let limited = limitedRunning.count < limitedJobs ? limitedWaiters.first() : nil
        if let job = limited, unlimited.map({ job < $0 }) ?? true {
            _ = limitedWaiters.popFirst()
            limitedRunning.insert(job)
            return job
        }
        if let job = unlimited {
            _ = waiters.popFirst()
            return job
        }
        return nil
    }

    /// The wait of `job` reached the acquire timeout. Returns `true` when the
    /// job was still waiting (fail it with `.poolTimeout`); `false` when it was
    /// already assigned or failed (do nothing).
    mutating func waiterTimedOut(_ job: JobID) -> Bool {
        guard waiters.remove(job) || limitedWaiters.remove(job) else { return false }
        timeoutsTotal += 1
        return true
    }

    /// The caller of `job` gave up (its task was cancelled).
    enum WithdrawAction: Sendable, Equatable {
        /// It was still waiting and is now removed: fail it with `CancellationError`.
        case failWaiter
        /// It is running on this worker: interrupt the work in the database.
        case interrupt(WorkerID)
        /// It already finished, failed or was never known: nothing to do.
        case none
    }

    mutating func withdraw(_ job: JobID) -> WithdrawAction {
        if waiters.remove(job) || limitedWaiters.remove(job) {
            withdrawnTotal += 1
            return .failWaiter
        }
        if let worker = workers.firstIndex(of: .busy(job)) { return .interrupt(worker) }
        return .none
    }

    mutating func shutdown() -> ShutdownAction {
        switch lifecycle {
        case .shuttingDown, .shutDown:
            return ShutdownAction(failWaiters: [], stopWorkers: [], isComplete: lifecycle == .shutDown)
        case .running:
            lifecycle = .shuttingDown
            let failed = (waiters.removeAll() + limitedWaiters.removeAll()).sorted()
            let stopping = idleWorkers
            idleWorkers = []
            for worker in stopping { workers[worker] = .stopping }
            // Workers only stop during shutdown, so with any worker started the
            // pool completes later, in `workerStopped`.
            let complete = workers.isEmpty
            if complete { lifecycle = .shutDown }
            return ShutdownAction(failWaiters: failed, stopWorkers: stopping, isComplete: complete)
        }
    }

    /// A worker closed its connection and ended. Returns `true` when it was the
    /// last one during shutdown (shutdown is complete).
    mutating func workerStopped(_ worker: WorkerID) -> Bool {
        switch workers[worker] {
        case .stopping:
            workers[worker] = .stopped
        case .idle, .busy, .stopped:
            preconditionFailure("worker \(worker) stopped unexpectedly in state \(workers[worker])")
        }
        guard lifecycle == .shuttingDown, workers.allSatisfy({ $0 == .stopped }) else { return false }
        lifecycle = .shutDown
        return true
    }

    // MARK: Statistics

    var busyCount: Int {
        workers.reduce(0) { count, state in
            if case .busy = state { return count + 1 }
            return count
        }
    }

    var idleCount: Int { idleWorkers.count }
    /// Workers running a job, with the job.
    var runningJobs: [(worker: WorkerID, job: JobID)] {
        workers.enumerated().compactMap { worker, state in
            if case .busy(let job) = state { return (worker, job) }
            return nil
        }
    }
    var waitingCount: Int { waiters.count + limitedWaiters.count }
    /// Limited jobs running.
    var limitedBusyCount: Int { limitedRunning.count }
    func isWaiting(_ job: JobID) -> Bool { waiters.contains(job) || limitedWaiters.contains(job) }
}

/// A FIFO queue with O(1) removal of arbitrary elements (lazy deletion), for
/// waiters that may time out anywhere in the queue. Elements must be unique
/// over the queue's life (job IDs are never reused).
struct FIFOSet<Element: Hashable & Sendable>: Sendable {
    private var queue: [Element] = []
    private var head = 0
    private var members: Set<Element> = []

    var count: Int { members.count }
    var isEmpty: Bool { members.isEmpty }

    func contains(_ element: Element) -> Bool { members.contains(element) }

    /// The element `popFirst` would return, left in the queue.
    mutating func first() -> Element? {
        while head < queue.count, !members.contains(queue[head]) { head += 1 }
        compactIfNeeded()
        return head < queue.count ? queue[head] : nil
    }

    mutating func append(_ element: Element) {
        guard members.insert(element).inserted else { return }
        queue.append(element)
    }

    mutating func popFirst() -> Element? {
        while head < queue.count {
            let element = queue[head]
            head += 1
            if members.remove(element) != nil {
                compactIfNeeded()
                return element
            }
        }
        compactIfNeeded()
        return nil
    }

    /// Returns `true` if the element was present.
    mutating func remove(_ element: Element) -> Bool {
        let removed = members.remove(element) != nil
        if removed, members.isEmpty { queue = []; head = 0 }
        return removed
    }

    /// Removes everything, returning the remaining elements in FIFO order.
    mutating func removeAll() -> [Element] {
        let remaining = queue[head...].filter { members.contains($0) }
        queue = []
        head = 0
        members = []
        return remaining
    }

    private mutating func compactIfNeeded() {
        if head == queue.count {
            queue = []
            head = 0
        } else if head > 64, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
    }
}

/// How a job counts against `ConnectionPool.Configuration.limitedJobs`.
public enum JobKind: Sendable, Equatable {
    /// Short work competing for the database's cores (a client's command):
    /// at most `limitedJobs` run at once, the rest wait their turn.
    case limited
    /// Bounded by the pool's size only: long work (a full verification, a
    /// sweep, a scheduled job) that would hold a limited place for minutes.
    case unlimited
}
