import Dispatch
import Foundation
import Synchronization

/// A snapshot of a pool's counters.
public struct PoolStatistics: Sendable, Equatable, CustomStringConvertible {
    /// Configured maximum number of connections (= worker threads).
    public var size: Int
    /// Workers running a job.
    public var busy: Int
    /// Workers with a connection, waiting for a job.
    public var idle: Int
    /// At most this many limited jobs (clients' commands) run at once.
    public var limit: Int
    /// Limited jobs running.
    public var limitedBusy: Int
    /// Jobs waiting for a free connection (or, limited ones, for the limit).
    public var waiting: Int
    /// Connections opened (first connects and reconnects).
    public var connectsTotal: Int
    /// Jobs that gave up waiting after the acquire timeout.
    public var timeoutsTotal: Int
    /// Jobs whose caller gave up (task cancelled, shutdown): withdrawn from
    /// the queue or interrupted while running.
    public var cancelledTotal: Int = 0
    /// Connections reopened after they were found dead (part of `connectsTotal`).
    public var reconnectsTotal: Int = 0

    public var description: String {
        "size=\(size) busy=\(busy) idle=\(idle) waiting=\(waiting) connects=\(connectsTotal) timeouts=\(timeoutsTotal) cancelled=\(cancelledTotal)"
    }
}

/// A bounded pool of PostgreSQL connections, each owned by its own worker thread.
///
/// libpq calls block, so they never run on an event loop or on Swift's
/// cooperative pool: `withConnection` suspends the caller and runs the body
/// synchronously on a worker thread that holds a connection. Workers and
/// connections are created lazily, up to `size`.
///
/// Callers wait `acquireTimeout` for a free connection (the timeout fires up
/// to a tenth of it late, at most 100 ms: `AcquireDeadlines`), then fail with
/// `.poolTimeout`; a timed-out job never runs. After the server restarts,
/// connections notice on their next use: a job whose *first* round trip fails
/// with a connection error (nothing reached the server) is run once more on
/// a fresh connection; any later connection error is thrown and the
/// connection is replaced before the next job. A job is retried only while it
/// has sent nothing that could have changed data (`effectfulRoundTrips`).
///
/// Cancelling the calling task withdraws a waiting job, or interrupts a running
/// one: its current statement is cancelled with `PQcancel` and no further
/// statement starts (it fails with SQLSTATE 57014), so its transaction rolls back.
///
/// The decisions live in `PoolStateMachine`; this type only performs them.
public final class ConnectionPool: Sendable {
    public struct Configuration: Sendable {
        /// libpq connection string (URL or `key=value`); empty = PG* environment defaults.
        public var conninfo: String
        /// Maximum number of connections and worker threads.
        public var size: Int
        /// How long a caller may wait for a free connection (plus up to a
        /// tenth of it, at most 100 ms, so that one wake-up serves many).
        public var acquireTimeout: Duration
        /// Session settings each connection gets whenever it is opened or
        /// reopened (`set_config(name, value, false)`).
        public var sessionSettings: [String: String]
        /// At most this many `.limited` jobs (clients' commands) run at once,
        /// however large the pool; nil: the pool's size. The rest of the pool
        /// stays for `.unlimited` work. See `JobKind`.
        public var limitedJobs: Int?
        /// Most whole transactions that share one `BEGIN … COMMIT` when they
        /// queue for the limited jobs at the same time (`groupedTransaction`);
        /// 1: each commits alone.
        public var commitGroupLimit: Int
        /// Probe each connection (non-blocking read) before a job; tests turn
        /// it off to exercise the retry-on-first-round-trip path alone.
        var checksConnectionBeforeJob = true

        public init(
            conninfo: String, size: Int = 8, acquireTimeout: Duration = .seconds(5), sessionSettings: [String: String] = [:],
            limitedJobs: Int? = nil, commitGroupLimit: Int = 1
        ) {
            self.conninfo = conninfo
            self.commitGroupLimit = commitGroupLimit
            self.size = size
            self.limitedJobs = limitedJobs
            self.acquireTimeout = acquireTimeout
            self.sessionSettings = sessionSettings
        }
    }

    public let configuration: Configuration
    private let core: PoolCore
    /// Grouped commits (`groupedTransaction`); nil when each commits alone.
    private let groups: CommitGroups?

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        let core = PoolCore(configuration)
        self.core = core
        self.groups = configuration.commitGroupLimit > 1
            ? CommitGroups(limit: configuration.commitGroupLimit, concurrency: core.limitedJobs, core: core) : nil
    }

    deinit {
        // Lets worker threads end; nobody can wait for it any more.
        core.shutdown(notify: nil)
    }

    /// Runs `body` on a worker thread that holds a connection and returns its result.
    ///
    /// Throws `.poolTimeout` when no connection became free within
    /// `acquireTimeout`, `.poolClosed` after `shutdown()`, `.connection` when
    /// the database cannot be reached, or whatever `body` throws.
    /// The connection must not escape `body`. Cancelling the calling task
    /// withdraws the job while it waits (`CancellationError`) and interrupts it
    /// while it runs (the body's next or current statement fails with 57014).
    /// `kind`: whether the job counts against `Configuration.limitedJobs`.
    @discardableResult
    public func withConnection<T: Sendable>(
        kind: JobKind = .unlimited, _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try Task.checkCancellation()
        let ticket = JobTicket()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let job = PoolJob(
                    run: { connection in
                        do {
                            continuation.resume(returning: try body(connection))
                            return nil
                        } catch {
                            return error
                        }
                    },
                    fail: { continuation.resume(throwing: $0) }
                )
                let id = core.submit(job, kind: kind)
                if ticket.submitted(id) { core.withdraw(id) }
            }
        } onCancel: {
            if let id = ticket.cancel() { core.withdraw(id) }
        }
    }

    /// Withdraws every waiting job and interrupts every running one (shutdown
    /// deadline): their callers get `CancellationError` or a 57014 error.
    public func cancelAllJobs() {
        core.cancelAll()
    }

    /// Runs `body` inside `BEGIN … COMMIT` on a pooled connection
    /// (see `PostgresConnection.transaction(_:)`).
    @discardableResult
    public func transaction<T: Sendable>(
        kind: JobKind = .unlimited, _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await withConnection(kind: kind) { connection in
            try connection.transaction(body)
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT` opened together with its first
    /// statements, in one round trip (see `PostgresConnection.transaction(opening:_:)`).
    @discardableResult
    public func transaction<T: Sendable>(
        kind: JobKind = .unlimited, opening statements: [PipelinedStatement],
        _ body: @escaping @Sendable (PostgresConnection, [PostgresResult]) throws -> T
    ) async throws -> T {
        try await withConnection(kind: kind) { connection in
            try connection.transaction(opening: statements, body)
        }
    }

    /// A whole transaction in one round trip on a pooled connection:
    /// `BEGIN`, `statements`, `COMMIT` (see
    /// `PostgresConnection.committedTransaction(_:)`); `body` gets the
    /// statements' results after the commit, on the worker thread.
    @discardableResult
    public func committedTransaction<T: Sendable>(
        kind: JobKind = .unlimited, _ statements: [PipelinedStatement],
        _ body: @escaping @Sendable ([PostgresResult]) throws -> T
    ) async throws -> T {
        try await withConnection(kind: kind) { connection in
            try body(try connection.committedTransaction(statements))
        }
    }

    /// A whole transaction, like `committedTransaction` with a limited job,
    /// that may share its `BEGIN … COMMIT` with others queued at the same
    /// time (at most `Configuration.commitGroupLimit`): one commit, one WAL
    /// flush and one round trip for the group (`CommitGroups`). Each
    /// transaction's statements must set up what they depend on themselves
    /// (transaction-local settings persist into the next member's), and must
    /// not care about `now()`, which is the group's start. If the group
    /// fails before its commit, each of its transactions runs again alone;
    /// `body` gets the statements' results after the commit.
    @discardableResult
    public func groupedTransaction<T: Sendable>(
        _ statements: [PipelinedStatement], _ body: @escaping @Sendable ([PostgresResult]) throws -> T
    ) async throws -> T {
        if let groups {
            switch try await groups.join(statements) {
            case .committed(let answers): return try body(answers)
            case .runAlone: break
            }
        }
        return try await committedTransaction(kind: .limited, statements, body)
    }

    /// Transactions committed in groups of more than one, and the groups.
    public var groupedCommits: (groups: Int, members: Int) { groups?.counts ?? (0, 0) }

    /// Grouped transactions waiting for their group to start.
    var groupedWaiting: Int { groups?.waitingCount ?? 0 }

    public var statistics: PoolStatistics { core.statistics }

    /// Fails waiting and future callers with `.poolClosed`, lets running bodies
    /// finish, closes all connections and returns once every worker has ended.
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            core.shutdown(notify: continuation)
        }
    }
}

/// A job as the workers see it: `run` resumes the caller on success and
/// returns the error otherwise, so the worker can decide to retry before
/// calling `fail`. Exactly one of the caller-resuming paths happens.
struct PoolJob: Sendable {
    let run: @Sendable (PostgresConnection) -> (any Error)?
    let fail: @Sendable (any Error) -> Void
    let control = JobControl()
}

/// Connects a caller's cancellation with the job it submitted, whichever
/// comes first.
final class JobTicket: Sendable {
    private let state = Mutex<(id: PoolStateMachine.JobID?, cancelled: Bool)>((nil, false))

    /// Records the job's id; `true` when the caller was cancelled meanwhile.
    func submitted(_ id: PoolStateMachine.JobID) -> Bool {
        state.withLock { state in
            state.id = id
            return state.cancelled
        }
    }

    /// Marks the caller cancelled; the job's id once submitted.
    func cancel() -> PoolStateMachine.JobID? {
        state.withLock { state in
            state.cancelled = true
            return state.id
        }
    }
}

/// A running job's cancellation, shared by the worker and whoever cancels.
/// The worker does not take its next job while a cancel request for this one
/// is still being sent, so the request cannot land on someone else's statement
/// (PostgreSQL cancels whatever runs when it arrives).
final class JobControl: @unchecked Sendable {
    // NSCondition guards both fields.
    private let condition = NSCondition()
    private var cancelled = false
    private var requestsInFlight = 0

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Marks the job cancelled; when `sendingRequest`, a cancel request is on its way.
    func cancel(sendingRequest: Bool) {
        condition.lock()
        cancelled = true
        if sendingRequest { requestsInFlight += 1 }
        condition.unlock()
    }

    func requestSent() {
        condition.lock()
        requestsInFlight -= 1
        condition.broadcast()
        condition.unlock()
    }

    func waitForRequests() {
        condition.lock()
        while requestsInFlight > 0 { condition.wait() }
        condition.unlock()
    }
}

/// One worker thread and its connection.
///
/// `@unchecked Sendable`: `connection` is only touched on the worker's own
/// thread; the semaphore is the only thing other threads use.
final class PoolWorker: @unchecked Sendable {
    let id: Int
    let wakeup = DispatchSemaphore(value: 0)
    var connection: PostgresConnection?

    init(id: Int) { self.id = id }
}

/// The I/O shell around `PoolStateMachine`: a mutex, worker threads, timers.
final class PoolCore: Sendable {
    private enum Command {
        case run(PoolJob, PoolStateMachine.JobID)
        case stop
    }

    private struct State {
        var machine: PoolStateMachine
        var nextJobID: PoolStateMachine.JobID = 0
        /// Jobs waiting for a worker.
        var waitingJobs: [PoolStateMachine.JobID: PoolJob] = [:]
        /// Work handed to sleeping workers, picked up when they wake.
        var mailboxes: [PoolStateMachine.WorkerID: Command] = [:]
        var workers: [PoolWorker] = []
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
        var connectsTotal = 0
        /// Controls of submitted jobs, until they end.
        var controls: [PoolStateMachine.JobID: JobControl] = [:]
        /// Each worker's cancel handle for its current connection.
        var cancelHandles: [PoolStateMachine.WorkerID: PostgresCancelHandle] = [:]
        var interruptedTotal = 0
        var reconnectsTotal = 0
    }

    private let configuration: ConnectionPool.Configuration
    /// `configuration.limitedJobs` as the state machine bounds it (fixed for the pool's life).
    let limitedJobs: Int
    private let state: Mutex<State>
    /// Fails a waiting job at its acquire timeout.
    private let deadlines: AcquireDeadlines

    init(_ configuration: ConnectionPool.Configuration) {
        self.configuration = configuration
        let machine = PoolStateMachine(size: max(1, configuration.size), limitedJobs: configuration.limitedJobs)
        self.limitedJobs = machine.limitedJobs
        self.state = Mutex(State(machine: machine))
        self.deadlines = AcquireDeadlines(timeout: configuration.acquireTimeout)
        deadlines.onExpiry { [weak self] id in self?.timedOut(id) }
    }

    var statistics: PoolStatistics {
        state.withLock { state in
            PoolStatistics(
                size: state.machine.size,
                busy: state.machine.busyCount,
                idle: state.machine.idleCount,
                limit: limitedJobs,
                limitedBusy: state.machine.limitedBusyCount,
                waiting: state.machine.waitingCount,
                connectsTotal: state.connectsTotal,
                timeoutsTotal: state.machine.timeoutsTotal,
                cancelledTotal: state.machine.withdrawnTotal + state.interruptedTotal,
                reconnectsTotal: state.reconnectsTotal)
        }
    }

    // MARK: Callers

    /// Queues or starts `job`; returns its id (for `withdraw`).
    func submit(_ job: PoolJob, kind: JobKind) -> PoolStateMachine.JobID {
        enum Next {
            case wake(PoolWorker)
            case start(PoolWorker)
            case wait
            case fail
        }
        let (id, next): (PoolStateMachine.JobID, Next) = state.withLock { state in
            state.nextJobID += 1
            let id = state.nextJobID
            switch state.machine.acquire(id, kind: kind) {
            case .run(_, on: let worker):
                state.controls[id] = job.control
                state.mailboxes[worker] = .run(job, id)
                return (id, .wake(state.workers[worker]))
            case .startWorker(let worker, job: _):
                state.controls[id] = job.control
                let newWorker = PoolWorker(id: worker)
                state.workers.append(newWorker)
                return (id, .start(newWorker))
            case .wait(let id):
                state.controls[id] = job.control
                state.waitingJobs[id] = job
                return (id, .wait)
            case .failClosed:
                return (id, .fail)
            }
        }
        switch next {
        case .wake(let worker):
            worker.wakeup.signal()
        case .start(let worker):
            let thread = Thread { [self] in self.workerMain(worker, first: job, id: id) }
            thread.name = "postgres-pool-\(worker.id)"
            thread.start()
        case .wait:
            deadlines.add(id)
        case .fail:
            job.fail(Self.closedError)
        }
        return id
    }

    /// The caller of job `id` gave up: withdraw it, or interrupt it.
    func withdraw(_ id: PoolStateMachine.JobID) {
        enum Next {
            case fail(PoolJob)
            case interrupt(JobControl, PostgresCancelHandle?)
            case nothing
        }
        let next: Next = state.withLock { state in
            switch state.machine.withdraw(id) {
            case .failWaiter:
                state.controls[id] = nil
                return state.waitingJobs.removeValue(forKey: id).map(Next.fail) ?? .nothing
            case .interrupt(let worker):
                guard let control = state.controls[id] else { return .nothing }
                let handle = state.cancelHandles[worker]
                control.cancel(sendingRequest: handle != nil)
                state.interruptedTotal += 1
                return .interrupt(control, handle)
            case .none:
                return .nothing
            }
        }
        switch next {
        case .fail(let job):
            job.fail(CancellationError())
        case .interrupt(let control, let handle):
            guard let handle else { return }
            // PQcancel opens a connection and blocks: never on the caller's thread.
            Thread.detachNewThread {
                handle.cancel()
                control.requestSent()
            }
        case .nothing:
            break
        }
    }

    /// Withdraws or interrupts every job (shutdown deadline).
    func cancelAll() {
        // Waiters first: an interrupted job's worker, once free, would
        // otherwise run the next waiter before its withdrawal (PQcancel
        // takes a round trip of its own).
        let ids: [PoolStateMachine.JobID] = state.withLock { state in
            state.waitingJobs.keys.sorted() + state.machine.runningJobs.map(\.job)
        }
        for id in ids { withdraw(id) }
    }

    private func timedOut(_ id: PoolStateMachine.JobID) {
        let job: PoolJob? = state.withLock { state in
            guard state.machine.waiterTimedOut(id) else { return nil }
            state.controls[id] = nil
            return state.waitingJobs.removeValue(forKey: id)
        }
        // Most deadlines pass after their job got a connection (`AcquireDeadlines`).
        guard let job else { return }
        let limited = limitedJobs < configuration.size ? ", \(limitedJobs) of them for commands at once" : ""
        job.fail(
            PostgresError(
                kind: .poolTimeout,
                message: "no database connection free within \(Self.describe(configuration.acquireTimeout)) "
                    + "(pool size \(configuration.size)\(limited))"))
    }

    /// `notify` is resumed once every worker has ended.
    func shutdown(notify: CheckedContinuation<Void, Never>?) {
        let (failed, stopping, resumeNow) = state.withLock { state in
            let action = state.machine.shutdown()
            let failed = action.failWaiters.compactMap { id in
                state.controls[id] = nil
                return state.waitingJobs.removeValue(forKey: id)
            }
            let stopping = action.stopWorkers.map { worker in
                state.mailboxes[worker] = .stop
                return state.workers[worker]
            }
            var resumeNow = false
            if let notify {
                if state.machine.lifecycle == .shutDown {
                    resumeNow = true
                } else {
                    state.shutdownWaiters.append(notify)
                }
            }
            return (failed, stopping, resumeNow)
        }
        for job in failed { job.fail(Self.closedError) }
        for worker in stopping { worker.wakeup.signal() }
        if resumeNow { notify?.resume() }
    }

    // MARK: Workers

    private func workerMain(_ worker: PoolWorker, first: PoolJob, id: PoolStateMachine.JobID) {
        var next: (job: PoolJob, id: PoolStateMachine.JobID)? = (first, id)
        while let current = next {
            execute(current.job, on: worker)
            // A cancel request still on its way must land on this job, not the next.
            current.job.control.waitForRequests()
            next = nextJob(for: worker, finished: current.id)
        }
        worker.connection?.close()
        worker.connection = nil
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.cancelHandles[worker.id] = nil
            guard state.machine.workerStopped(worker.id) else { return [] }
            defer { state.shutdownWaiters = [] }
            return state.shutdownWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The worker's next job, sleeping while idle; `nil` means stop.
    private func nextJob(
        for worker: PoolWorker, finished: PoolStateMachine.JobID
    ) -> (job: PoolJob, id: PoolStateMachine.JobID)? {
        enum Next {
            case run(PoolJob, PoolStateMachine.JobID)
            case sleep
            case stop
        }
        let next: Next = state.withLock { state in
            state.controls[finished] = nil
            switch state.machine.jobFinished(worker: worker.id) {
            case .run(let id):
                guard let job = state.waitingJobs.removeValue(forKey: id) else {
                    preconditionFailure("assigned job \(id) has no closure")
                }
                return .run(job, id)
            case .idle:
                return .sleep
            case .stop:
                return .stop
            }
        }
        switch next {
        case .run(let job, let id):
            return (job, id)
        case .stop:
            return nil
        case .sleep:
            worker.wakeup.wait()
            let command = state.withLock { $0.mailboxes.removeValue(forKey: worker.id) }
            switch command {
            case .run(let job, let id): return (job, id)
            case .stop, nil: return nil
            }
        }
    }

    /// Runs one job with the dead-connection rules described on `ConnectionPool`.
    private func execute(_ job: PoolJob, on worker: PoolWorker) {
        let connection: PostgresConnection
        do {
            connection = try readyConnection(for: worker)
        } catch {
            job.fail(error)
            return
        }
        let control = job.control
        connection.interruption = { control.isCancelled }
        defer { connection.interruption = nil }
        let effectfulBefore = connection.effectfulRoundTrips
        guard let error = job.run(connection) else {
            cleanUp(connection)
            return
        }
        let changedNothing =
            (error as? PostgresError)?.kind == .connection
            && connection.effectfulRoundTrips == effectfulBefore
            && !control.isCancelled
        if changedNothing {
            // Nothing the job sent could have changed data (it never got past
            // BEGIN or PREPARE): safe to run again on a fresh connection.
            do {
                try reopen(connection, for: worker)
            } catch {
                job.fail(error)
                return
            }
            if let retryError = job.run(connection) { job.fail(retryError) }
        } else {
            job.fail(error)
        }
        cleanUp(connection)
    }

    /// The worker's connection, opened or replaced if it is missing or dead.
    private func readyConnection(for worker: PoolWorker) throws(PostgresError) -> PostgresConnection {
        guard let connection = worker.connection else {
            let connection = try PostgresConnection(conninfo: configuration.conninfo)
            worker.connection = connection
            countConnect()
            try prepareSession(connection, for: worker)
            return connection
        }
        let healthy = configuration.checksConnectionBeforeJob ? connection.checkHealth() : connection.isConnected
        if !healthy { try reopen(connection, for: worker) }
        return connection
    }

    /// Replaces a dead connection: reconnect, session settings, cancel handle.
    private func reopen(_ connection: PostgresConnection, for worker: PoolWorker) throws(PostgresError) {
        try connection.reconnect()
        countConnect(reconnect: true)
        try prepareSession(connection, for: worker)
    }

    private func prepareSession(_ connection: PostgresConnection, for worker: PoolWorker) throws(PostgresError) {
        let handle = connection.makeCancelHandle()
        state.withLock { $0.cancelHandles[worker.id] = handle }
        try applySessionSettings(connection)
    }

    private func applySessionSettings(_ connection: PostgresConnection) throws(PostgresError) {
        for (name, value) in configuration.sessionSettings.sorted(by: { $0.key < $1.key }) {
            try connection.query("SELECT set_config($1::text, $2::text, false)", [name, value])
        }
    }

    /// A body that left a transaction open must not hand it to the next job.
    private func cleanUp(_ connection: PostgresConnection) {
        if connection.isInTransaction { connection.rollbackIfNeeded() }
        // Still in a transaction (e.g. mid-COPY or broken): start over next time.
        if connection.isInTransaction { connection.close() }
    }

    private func countConnect(reconnect: Bool = false) {
        state.withLock { state in
            state.connectsTotal += 1
            if reconnect { state.reconnectsTotal += 1 }
        }
    }

    // MARK: Helpers

    private static let closedError = PostgresError(kind: .poolClosed, message: "the database connection pool is shut down")

    static func describe(_ duration: Duration) -> String {
        duration.components.attoseconds == 0 ? "\(duration.components.seconds) s" : "\(duration.inMilliseconds) ms"
    }
}
