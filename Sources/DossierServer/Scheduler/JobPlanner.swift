import Foundation

/// A job's row in `dossier.job_runs` as the scheduler reads it.
///
/// - `leasedBy`/`leaseUntil`: the daemon running the job and until when its
///   claim holds (renewed while it runs; cleared when the run ends).
/// - `lastStarted`: the last claim; `lastDone`: the end of the last run that
///   completed. A claim newer than the last completion is an attempt that
///   failed (lease cleared) or was interrupted (lease left to expire).
/// - `claims`: how many times the job was claimed, the token of a claim.
public struct JobRunState: Sendable, Hashable {
    public var leasedBy: String?
    public var leaseUntil: Date?
    public var lastStarted: Date?
    public var lastDone: Date?
    public var lastResult: String?
    public var claims: Int64

    public init(leasedBy: String? = nil, leaseUntil: Date? = nil, lastStarted: Date? = nil, lastDone: Date? = nil,
                lastResult: String? = nil, claims: Int64 = 0) {
        self.leasedBy = leasedBy
        self.leaseUntil = leaseUntil
        self.lastStarted = lastStarted
        self.lastDone = lastDone
        self.lastResult = lastResult
        self.claims = claims
    }

    /// A job that has never been claimed.
    public static let neverRun = JobRunState()

    /// The last claim did not end in a recorded completion.
    var lastAttemptUnfinished: Bool {
        guard let started = lastStarted else { return false }
        guard let done = lastDone else { return true }
        return done < started
    }
}

/// What a daemon does about one job at one moment.
public enum JobDecision: Sendable, Hashable {
    /// Claim it now; the run stands for the scheduled `occurrence`.
    case run(occurrence: Date, because: RunReason)
    /// Nothing to do before `until`.
    case wait(until: Date, because: WaitReason)

    public enum RunReason: Sendable, Hashable, CustomStringConvertible {
        /// Its latest occurrence has not been run yet (or it never ran).
        case due
        /// A claim was left to expire: its daemon crashed or hung mid-run.
        case leaseExpired(leasedBy: String?)
        /// The last attempt failed and the retry delay has passed.
        case retry

        public var description: String {
            switch self {
            case .due: "due"
            case .leaseExpired(let owner): "lease-expired(\(owner ?? "-"))"
            case .retry: "retry"
            }
        }
    }

    public enum WaitReason: Sendable, Hashable, CustomStringConvertible {
        /// Its latest occurrence has been run.
        case done
        /// Another claim holds it (possibly still this daemon's own).
        case leased(by: String?)
        /// The last attempt failed; the next is not before the retry delay.
        case retryLater

        public var description: String {
            switch self {
            case .done: "done"
            case .leased(let owner): "leased(\(owner ?? "-"))"
            case .retryLater: "retry-later"
            }
        }
    }
}

/// Decides, without I/O, whether a job should be claimed now or when to look
/// again, from the current time, the job's schedule and its `job_runs` row.
/// The database then enforces the decision: a claim succeeds only on the very
/// row version the decision was made on (`JobRuns.claim`).
public struct JobPlanner: Sendable {
    public var schedule: JobSchedule
    public var timeZone: TimeZone
    /// How long after a failed attempt the job is tried again.
    public var retryDelay: TimeInterval

    public init(schedule: JobSchedule, timeZone: TimeZone, retryDelay: TimeInterval) {
        self.schedule = schedule
        self.timeZone = timeZone
        self.retryDelay = retryDelay
    }

    public func decide(now: Date, state: JobRunState) -> JobDecision {
        let occurrence = schedule.latestOccurrence(atOrBefore: now, in: timeZone)
        if let until = state.leaseUntil, until > now {
            return .wait(until: until, because: .leased(by: state.leasedBy))
        }
        if state.lastAttemptUnfinished, let started = state.lastStarted {
            if state.leaseUntil != nil {
                // Interrupted: the lease ran out without a recorded end. The job
                // is idempotent, so running it again is safe.
                return .run(occurrence: occurrence, because: .leaseExpired(leasedBy: state.leasedBy))
            }
            // Failed: the run released its lease and recorded the failure.
            let retryAt = started.addingTimeInterval(retryDelay)
            if retryAt > now { return .wait(until: retryAt, because: .retryLater) }
            return .run(occurrence: occurrence, because: .retry)
        }
        // Completed (or never claimed): done for this occurrence if the
        // completed run started at or after it.
        if let started = state.lastStarted, started >= occurrence {
            return .wait(until: schedule.nextOccurrence(after: now, in: timeZone), because: .done)
        }
        return .run(occurrence: occurrence, because: .due)
    }
}
