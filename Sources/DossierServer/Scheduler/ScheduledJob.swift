import DossierDomain
import Foundation
import Postgres

/// What one run of a job is for: the scheduled occurrence and its calendar day
/// in the company's time zone.
public struct JobContext: Sendable, Hashable {
    public let occurrence: Date
    public let day: CalendarDate

    public init(occurrence: Date, day: CalendarDate) {
        self.occurrence = occurrence
        self.day = day
    }
}

/// The counts a run reports, in order: written to the log line of the run and
/// to `job_runs.last_result` (`purged=2`, `charged=5 LATE_FILING=3 …`).
public struct JobReport: Sendable, Hashable, CustomStringConvertible {
    public struct Count: Sendable, Hashable {
        public let name: String
        public let value: Int
    }

    public var counts: [Count]

    public init(_ counts: [(String, Int)]) {
        self.counts = counts.map { Count(name: $0.0, value: $0.1) }
    }

    public subscript(name: String) -> Int? { counts.first { $0.name == name }?.value }

    public var description: String { counts.map { "\($0.name)=\($0.value)" }.joined(separator: " ") }
}

/// A job the scheduler runs: its name (the `job_runs` key, and the audit
/// actor `system:<name>`), its schedule, and its work. The work runs in one
/// transaction opened with `dossier.begin_system_command(<name>)` and must be
/// idempotent: an interrupted run is run again.
public struct ScheduledJob: Sendable {
    public let name: String
    public let schedule: JobSchedule
    public let work: @Sendable (JobContext, PostgresConnection) throws -> JobReport

    public init(name: String, schedule: JobSchedule,
                work: @escaping @Sendable (JobContext, PostgresConnection) throws -> JobReport) {
        self.name = name
        self.schedule = schedule
        self.work = work
    }
}

extension ScheduledJob {
    /// The jobs of `dossierd serve`, in the order they run when both are due:
    /// the penalty sweep, then the deletion purge.
    public static func daily(at time: TimeOfDay) -> [ScheduledJob] {
        [penaltySweep(.daily(at: time)), deletionPurge(.daily(at: time))]
    }

    /// `penalty-sweep`: charges the automatic violations as of the end of the
    /// day before the occurrence — the last day that has ended when it runs —
    /// so a run at 02:00 never charges what can still be put right today.
    public static func penaltySweep(_ schedule: JobSchedule) -> ScheduledJob {
        ScheduledJob(name: "penalty-sweep", schedule: schedule) { context, connection in
            let outcome = try ViolationSweep.sweep(asOf: context.day.adding(days: -1), on: connection)
            return JobReport([("charged", outcome.charged)] + outcome.byRule.map { ($0.rule, $0.count) })
        }
    }

    /// `audit-seal`: seals every audit chain's head with the daemons' key
    /// (`AuditSeals`), so that a later `AUDIT VERIFY` finds rows rewritten
    /// and rehashed up to a head behind the product's back.
    public static func auditSeal(_ schedule: JobSchedule, key: AuditKey) -> ScheduledJob {
        ScheduledJob(name: "audit-seal", schedule: schedule) { _, connection in
            JobReport([("seal", Int(try AuditSeals.seal(with: key, by: "system:audit-seal", on: connection).id))])
        }
    }

    /// `purge`: removes the content of dossiers whose 30-day deletion grace has
    /// ended by the time it runs.
    public static func deletionPurge(_ schedule: JobSchedule) -> ScheduledJob {
        ScheduledJob(name: "purge", schedule: schedule) { _, connection in
            JobReport([("purged", try DeletionPurge.purge(asOf: nil, on: connection))])
        }
    }
}
