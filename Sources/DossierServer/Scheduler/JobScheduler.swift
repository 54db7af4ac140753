import Foundation
import Logging
import Postgres
import ServiceLifecycle
import Synchronization

/// Runs the scheduled jobs of a daemon as a `Service`. Daemons keep no job
/// state of their own: any number of them share one database, and the
/// `job_runs` rows decide which daemon runs each occurrence of a job
/// (`JobRuns`: a leased row, claimed by compare-and-set).
///
/// Each wake-up reads every job's row and the database's clock, lets the pure
/// `JobPlanner` decide, and for each job due claims it, runs it in its own
/// transaction (renewing the lease meanwhile) and logs one line with its
/// counts. A run that throws is a failed run: rolled back, logged, its lease
/// released, retried after `retryDelay`. A daemon that dies mid-run leaves its
/// lease to expire; then any daemon runs the job again (jobs are idempotent).
///
/// Graceful shutdown: no new claims; a running job is allowed to finish while
/// the service group's shutdown deadline lasts. When the group cancels after
/// the deadline, the job's statements are cancelled in the database, its
/// transaction rolls back, and its lease is made to run out at once, so the
/// next daemon to look runs it again (as after a crash, without a retry delay).
public final class JobScheduler: Service, Sendable {
    public struct Configuration: Sendable {
        /// Names this daemon in `job_runs.leased_by`.
        public var daemonID: String
        /// The longest time between two looks at `job_runs`.
        public var pollInterval: Duration
        /// How long a claim holds without renewal; renewed every third of it.
        public var lease: Duration
        /// How long after a failed attempt a job is tried again.
        public var retryDelay: Duration

        public init(daemonID: String = Configuration.defaultDaemonID(), pollInterval: Duration = .seconds(60),
                    lease: Duration = .seconds(300), retryDelay: Duration = .seconds(600)) {
            self.daemonID = daemonID
            self.pollInterval = pollInterval
            self.lease = lease
            self.retryDelay = retryDelay
        }

        /// `host/pid/random`: the random part tells a restarted daemon from its
        /// predecessor when the pid repeats (containers).
        public static func defaultDaemonID() -> String {
            var name = [CChar](repeating: 0, count: 256)
            let host = gethostname(&name, name.count) == 0
                ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "host"
            return "\(host)/\(getpid())/\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        }
    }

    /// How one attempt at a job ended.
    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
        /// Ran and committed, with its counts.
        case done(JobReport)
        /// Threw: rolled back, lease released, retried later.
        case failed(String)
        /// Cancelled at the shutdown deadline: rolled back, its lease made to
        /// run out so that the next daemon runs it again at once.
        case abandoned(String)
        /// Another daemon claimed it first; nothing ran here.
        case claimedElsewhere
        /// The claim could not be made (database unreachable, …).
        case unavailable(String)

        public var description: String {
            switch self {
            case .done(let report): "done \(report)"
            case .failed(let error): "failed \(error)"
            case .abandoned(let error): "abandoned \(error)"
            case .claimedElsewhere: "claimed elsewhere"
            case .unavailable(let error): "unavailable \(error)"
            }
        }
    }

    public let configuration: Configuration
    public let jobs: [ScheduledJob]
    private let pool: ConnectionPool
    private let logger: Logger

    public init(jobs: [ScheduledJob], pool: ConnectionPool, configuration: Configuration = Configuration(), logger: Logger) {
        self.jobs = jobs
        self.pool = pool
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        logger.info("scheduler started daemon=\(configuration.daemonID) jobs=\(jobs.map { "\($0.name)(\($0.schedule))" }.joined(separator: ","))")
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let pause = await runDueJobs()
                guard !Task.isShuttingDownGracefully else { break }
                // Wakes early on graceful shutdown; the error is that wake-up.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            }
        } onGracefulShutdown: { [logger] in
            logger.info("scheduler stopping: no new claims; a running job may finish")
        }
        logger.info("scheduler stopped")
    }

    /// One wake-up: runs every job that is due, in order, and returns how long
    /// to sleep before the next look. Public so tests can drive the scheduler
    /// one step at a time.
    @discardableResult
    public func runDueJobs() async -> Duration {
        let names = jobs.map(\.name)
        let snapshot: JobRuns.Snapshot
        do {
            snapshot = try await pool.transaction { connection in
                try JobRuns.open(connection, as: "scheduler")
                return try JobRuns.snapshot(jobs: names, on: connection)
            }
        } catch {
            logger.warning("scheduler cannot read job_runs; retrying in \(configuration.pollInterval): \(error)")
            return configuration.pollInterval
        }
        var wakeAt = snapshot.now.addingTimeInterval(configuration.pollInterval.inSeconds)
        for job in jobs {
            guard !Task.isShuttingDownGracefully, !Task.isCancelled else { break }
            let planner = JobPlanner(schedule: job.schedule, timeZone: snapshot.timeZone,
                                     retryDelay: configuration.retryDelay.inSeconds)
            let state = snapshot.states[job.name] ?? .neverRun
            switch planner.decide(now: snapshot.now, state: state) {
            case .wait(let until, let reason):
                logger.debug("job name=\(job.name) waits reason=\(reason) until=\(until.ISO8601Format())")
                wakeAt = min(wakeAt, until)
            case .run(let occurrence, let reason):
                let context = JobContext(occurrence: occurrence, day: JobSchedule.day(of: occurrence, in: snapshot.timeZone))
                _ = await attempt(job, context: context, reason: "\(reason)", token: state.claims)
                // Time has passed and rows have changed: look again at once.
                wakeAt = snapshot.now
            }
        }
        // A little past the moment, so the next look finds it has come.
        let seconds = max(0, wakeAt.timeIntervalSince(snapshot.now)) + 0.05
        return min(.milliseconds(Int64(seconds * 1000)), configuration.pollInterval)
    }

    /// Runs `name` now, whatever its schedule, if no live lease holds it —
    /// through the same claim, run and record as a scheduled run. For tests
    /// and operators' tools; `dossierd serve` only runs what is due.
    public func runNow(_ name: String) async -> Outcome? {
        guard let job = jobs.first(where: { $0.name == name }) else { return nil }
        let snapshot: JobRuns.Snapshot
        do {
            snapshot = try await pool.transaction { connection in
                try JobRuns.open(connection, as: "scheduler")
                return try JobRuns.snapshot(jobs: [name], on: connection)
            }
        } catch {
            return .unavailable("\(error)")
        }
        let context = JobContext(occurrence: snapshot.now, day: JobSchedule.day(of: snapshot.now, in: snapshot.timeZone))
        return await attempt(job, context: context, reason: "requested", token: snapshot.states[name]?.claims ?? 0)
    }

    /// Claims, runs and records one job; logs one line.
    private func attempt(_ job: ScheduledJob, context: JobContext, reason: String, token: Int64) async -> Outcome {
        let started = ContinuousClock.now
        let daemon = configuration.daemonID
        let lease = configuration.lease
        let claim: JobRuns.Claim?
        do {
            claim = try await pool.transaction { connection in
                try JobRuns.open(connection, as: job.name)
                return try JobRuns.claim(job.name, token: token, by: daemon, lease: lease, on: connection)
            }
        } catch {
            logger.warning("job name=\(job.name) outcome=unavailable error=\"\(error)\"")
            return .unavailable("\(error)")
        }
        guard let claim else {
            logger.debug("job name=\(job.name) outcome=skipped reason=claimed-elsewhere")
            return .claimedElsewhere
        }
        let outcome = await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.keepLease(claim) }
            let outcome = await runClaimed(job, claim: claim, context: context)
            group.cancelAll()
            return outcome
        }
        let elapsed = ContinuousClock.now - started
        let millis = elapsed.inMilliseconds
        let summary = "job name=\(job.name) reason=\(reason) claim=\(claim.token) day=\(context.day) ms=\(millis)"
        switch outcome {
        case .done: DossierMetrics.jobRun(job: job.name, outcome: "done", duration: elapsed)
        case .failed: DossierMetrics.jobRun(job: job.name, outcome: "failed", duration: elapsed)
        case .abandoned: DossierMetrics.jobRun(job: job.name, outcome: "abandoned", duration: elapsed)
        case .claimedElsewhere, .unavailable: break
        }
        switch outcome {
        case .done(let report):
            logger.info("\(summary) outcome=done \(report)")
        case .failed(let error):
            logger.error("\(summary) outcome=failed retry_in=\(configuration.retryDelay) error=\"\(error)\"")
        case .abandoned(let error):
            logger.warning("\(summary) outcome=abandoned error=\"\(error)\"")
        case .claimedElsewhere, .unavailable:
            break
        }
        return outcome
    }

    /// The run itself: the work and the record of its end in one transaction;
    /// after a failure, a second transaction gives the job back. Cancellation
    /// (after the shutdown deadline) reaches the pool, which cancels the
    /// running statement with `PQcancel` and lets no further one start.
    private func runClaimed(_ job: ScheduledJob, claim: JobRuns.Claim, context: JobContext) async -> Outcome {
        let cancelled = CancelFlag()
        let logger = logger
        do {
            let report = try await withTaskCancellationHandler {
                try await pool.withConnection { connection in
                    try connection.transaction { connection in
                        try JobRuns.open(connection, as: job.name)
                        try LongRunningWork.allow(on: connection)
                        let report = try job.work(context, connection)
                        try JobRuns.finish(claim, result: report.description, on: connection)
                        return report
                    }
                }
            } onCancel: {
                cancelled.set()
                logger.warning("job name=\(job.name) abandoned at the shutdown deadline; cancelling it in the database")
            }
            return .done(report)
        } catch {
            let failure = Self.describe(error)
            if error is JobRuns.LeaseLost { return .failed(failure) }
            let abandoned = cancelled.isSet
            // Given back from a task of its own: this one may be cancelled, and
            // the pool would refuse its work. If even that fails, the lease runs
            // out and the job is run again.
            await Task.detached { [pool] in
                do {
                    try await pool.transaction { connection in
                        try JobRuns.open(connection, as: job.name)
                        if abandoned {
                            try JobRuns.abandon(claim, on: connection)
                        } else {
                            try JobRuns.release(claim, failure: "failed: \(failure.prefix(200))", on: connection)
                        }
                    }
                } catch {
                    logger.warning("job name=\(job.name) could not release its lease: \(error)")
                }
            }.value
            return abandoned ? .abandoned(failure) : .failed(failure)
        }
    }

    /// Whether the run was cancelled (set from the cancellation handler).
    private final class CancelFlag: Sendable {
        private let flag = Atomic<Bool>(false)
        func set() { flag.store(true, ordering: .relaxed) }
        var isSet: Bool { flag.load(ordering: .relaxed) }
    }

    /// Renews the claim every third of the lease until cancelled.
    private func keepLease(_ claim: JobRuns.Claim) async {
        let daemon = configuration.daemonID
        let lease = configuration.lease
        while true {
            do {
                try await Task.sleep(for: lease / 3)
            } catch {
                return  // the run ended
            }
            do {
                let held = try await pool.transaction { connection in
                    try JobRuns.open(connection, as: claim.job)
                    return try JobRuns.renew(claim, by: daemon, lease: lease, on: connection)
                }
                if !held {
                    logger.warning("job name=\(claim.job) lost its lease while running")
                    return
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("job name=\(claim.job) could not renew its lease: \(error)")
            }
        }
    }

    private static func describe(_ error: any Error) -> String {
        String(describing: error).replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\"", with: "'")
    }
}
