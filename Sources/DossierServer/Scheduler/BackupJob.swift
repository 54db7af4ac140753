import DossierBackup
import DossierProtocol
import Foundation
import Postgres

/// Where and how the scheduled backup writes: `--backup-dir`, `--backup-keep`.
public struct BackupPlan: Sendable {
    /// A superuser (or BYPASSRLS) conninfo: the daemon's own login sees rows
    /// only through row-level security, so it cannot take a complete dump.
    public var conninfo: String
    /// Each backup is a new directory `dossier-<UTC time>` in here.
    public var directory: String
    /// Complete backups kept; older ones are removed after a new one is written.
    public var keep: Int
    /// pg_dump's parallel jobs.
    public var jobs: Int

    public init(conninfo: String, directory: String, keep: Int, jobs: Int = 2) {
        self.conninfo = conninfo
        self.directory = directory
        self.keep = keep
        self.jobs = jobs
    }
}

extension ScheduledJob {
    /// The name of the backup job in `job_runs` and in logs, metrics and STATS.
    public static let backupJobName = "backup"

    /// `backup`: a `dossierd backup` into a new directory of the plan's, then
    /// the oldest complete backups beyond `keep` are removed. Its transaction
    /// on the daemon's connection only records the run; the dump is taken by
    /// `pg_dump` in a snapshot of its own.
    public static func backup(_ schedule: JobSchedule, plan: BackupPlan) -> ScheduledJob {
        ScheduledJob(name: backupJobName, schedule: schedule) { _, _ in
            let name = BackupRotation.name(for: Date())
            let manifest = try Backup.run(conninfo: plan.conninfo, to: plan.directory + "/" + name, jobs: plan.jobs)
            let removed = try BackupRotation.prune(plan.directory, keep: plan.keep)
            let bytes = manifest.files.reduce(Int64(0)) { $0 + $1.bytes }
            return JobReport([
                ("files", manifest.files.count), ("bytes", Int(bytes)), ("rows", Int(manifest.inventory.totalRows)),
                ("removed", removed),
            ])
        }
    }
}

/// Names and removes scheduled backups in a backup directory.
public enum BackupRotation {
    static let prefix = "dossier-"

    /// `dossier-20261201T020000.123Z`: sorts by time.
    public static func name(for date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        return prefix + formatter.string(from: date)
    }

    /// The complete backups (with a manifest) in `directory`, oldest first.
    public static func complete(in directory: String) -> [String] {
        entries(in: directory).filter { FileManager.default.fileExists(atPath: directory + "/" + $0 + "/" + BackupManifest.fileName) }
    }

    /// Keeps the newest `keep` complete backups and removes older ones, and any
    /// incomplete one older than the newest complete (left by a crash).
    /// Returns how many it removed.
    public static func prune(_ directory: String, keep: Int) throws -> Int {
        let complete = complete(in: directory)
        let doomed = Set(complete.dropLast(max(keep, 1)))
        let newest = complete.last ?? ""
        var removed = 0
        for entry in entries(in: directory) where doomed.contains(entry) || (!complete.contains(entry) && entry < newest) {
            try FileManager.default.removeItem(atPath: directory + "/" + entry)
            removed += 1
        }
        return removed
    }

    private static func entries(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix(prefix) }.sorted()
    }
}

/// The last scheduled backup as `job_runs` records it, for STATS and metrics.
public struct BackupStatus: Sendable, Equatable {
    /// When the last backup that completed ended.
    public var lastDone: Date?
    /// When the last attempt started.
    public var lastStarted: Date?
    /// `ok`, `failed`, `running` or `never`.
    public var outcome: String
    /// The last run's counts, or its error.
    public var result: String

    /// Reads the `backup` row (in a transaction opened as a user or the system).
    public static func read(on connection: PostgresConnection) throws -> BackupStatus {
        guard let row = try connection.query("""
            SELECT last_started, last_done, last_result, lease_until > now() AS running
              FROM dossier.job_runs WHERE job = $1::text
            """, [ScheduledJob.backupJobName]).rows.first else {
            return BackupStatus(lastDone: nil, lastStarted: nil, outcome: "never", result: "")
        }
        let started = try row.decode("last_started", as: Date?.self)
        let done = try row.decode("last_done", as: Date?.self)
        let result = try row.decode("last_result", as: String?.self) ?? ""
        let outcome: String
        if try row.decode("running", as: Bool?.self) == true {
            outcome = "running"
        } else if started == nil {
            outcome = "never"
        } else if let done, let started, done >= started {
            outcome = "ok"
        } else {
            outcome = "failed"
        }
        return BackupStatus(lastDone: done, lastStarted: started, outcome: outcome, result: result)
    }
}

extension BackupStatus {
    /// STATS rows: `backup_last_done`, `backup_last_outcome`, `backup_last_result`.
    var statsRows: [Row] {
        [
            ["name": "backup_last_done", "value": lastDone?.ISO8601Format() ?? ""],
            ["name": "backup_last_outcome", "value": outcome],
            ["name": "backup_last_result", "value": result],
        ]
    }
}
