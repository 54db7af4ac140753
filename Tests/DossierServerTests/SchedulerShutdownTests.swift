import DossierServer
import Foundation
import Logging
import Postgres
import ServiceLifecycle
import Synchronization
import Testing

/// Log messages kept in memory, to wait for a service to reach a point.
final class RecordedSchedulerLog: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }

    func logger() -> Logger {
        Logger(label: "recorded") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: RecordedSchedulerLog
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?,
                 source: String, file: String, function: String, line: UInt) {
            log.append("\(message)")
        }
    }
}

/// Graceful shutdown of the scheduler inside a `ServiceGroup`, as in
/// `dossierd serve`: no new claims, a running job finishes within the
/// deadline, or is cancelled in the database after it and gives its lease back.
/// The jobs wait on an advisory lock the test holds, so nothing depends on timing.
@Suite struct SchedulerShutdownTests {
    static let lockKey: Int64 = 740_015

    /// A job that waits until the test releases the advisory lock (not ended
    /// by the session's lock_timeout, which a slow machine may reach first).
    static func blocked(_ name: String) -> ScheduledJob {
        ScheduledJob(name: name, schedule: .daily(at: TimeOfDay(hour: 2, minute: 0)!)) { _, connection in
            try connection.query("SET LOCAL lock_timeout = 0")
            try connection.query("SELECT pg_advisory_xact_lock($1::int8)", [lockKey])
            return JobReport([("waited", 1)])
        }
    }

    static func group(_ scheduler: JobScheduler, deadline: Duration, logger: Logger) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(services: [scheduler], logger: logger)
        configuration.maximumGracefulShutdownDuration = deadline
        configuration.maximumCancellationDuration = .seconds(60)
        return ServiceGroup(configuration: configuration)
    }

    static func leased(_ sql: PostgresConnection, _ job: String) throws -> Bool {
        try sql.query("SELECT count(*)::int8 FROM dossier.job_runs WHERE job = $1::text AND leased_by IS NOT NULL", [job])
            .rows[0].decode(0, as: Int.self) == 1
    }

    @Test func aRunningJobFinishesAndNoOtherIsClaimed() async throws {
        let server = try await TestServer()
        let sql = try server.database.admin()
        defer { sql.close() }
        try sql.query("SELECT pg_advisory_lock($1::int8)", [Self.lockKey])
        let log = RecordedSchedulerLog()
        let never = ScheduledJob(name: "after", schedule: .daily(at: TimeOfDay(hour: 2, minute: 0)!)) { _, _ in JobReport([]) }
        let scheduler = JobScheduler(jobs: [Self.blocked("first"), never], pool: server.pool,
                                     configuration: .init(daemonID: "test/1/1"), logger: log.logger())
        let group = Self.group(scheduler, deadline: .seconds(600), logger: log.logger())
        let running = Task { try await group.run() }

        #expect(try await pollUntil { try Self.leased(sql, "first") })
        await group.triggerGracefulShutdown()
        #expect(try await pollUntil { log.all.contains { $0.hasPrefix("scheduler stopping") } }, "\(log.all)")
        try sql.query("SELECT pg_advisory_unlock($1::int8)", [Self.lockKey])
        try await running.value

        let first = try sql.query("SELECT leased_by, last_result, last_done IS NOT NULL AS done FROM dossier.job_runs WHERE job = 'first'").rows[0]
        #expect(try first.decode("leased_by", as: String?.self) == nil)
        #expect(try first.decode("last_result", as: String.self) == "waited=1" && first.decode("done", as: Bool.self))
        // Due as well, but shutdown had begun: never claimed.
        #expect(try sql.query("SELECT count(*)::int8 FROM dossier.job_runs WHERE job = 'after' AND claims = 0").rows[0].decode(0, as: Int.self) == 1)
        #expect(log.all.last == "scheduler stopped", "\(log.all)")
        try await server.shutdown()
    }

    @Test func aJobStillRunningAtTheDeadlineIsCancelledAndGivesItsLeaseBack() async throws {
        let server = try await TestServer()
        let sql = try server.database.admin()
        defer { sql.close() }
        try sql.query("SELECT pg_advisory_lock($1::int8)", [Self.lockKey + 1])
        let stuck = ScheduledJob(name: "stuck", schedule: .daily(at: TimeOfDay(hour: 2, minute: 0)!)) { _, connection in
            // Stuck until cancelled: not ended by the session's lock_timeout
            // first, which a slow machine reached before the deadline.
            try connection.query("SET LOCAL lock_timeout = 0")
            try connection.query("SELECT pg_advisory_xact_lock($1::int8)", [Self.lockKey + 1])
            return JobReport([("waited", 1)])
        }
        let log = RecordedSchedulerLog()
        let scheduler = JobScheduler(jobs: [stuck], pool: server.pool, configuration: .init(daemonID: "test/1/1"), logger: log.logger())
        let group = Self.group(scheduler, deadline: .seconds(1), logger: log.logger())
        let running = Task { try await group.run() }

        #expect(try await pollUntil { try Self.leased(sql, "stuck") })
        await group.triggerGracefulShutdown()
        _ = try? await running.value  // the group reports the cancellation its own way

        // Rolled back, and the lease has run out: another daemon runs it again at once.
        let run = try sql.query("""
            SELECT lease_until <= now() AS expired, last_result, last_done FROM dossier.job_runs WHERE job = 'stuck'
            """).rows[0]
        #expect(try run.decode("expired", as: Bool.self))
        #expect(try run.decode("last_done", as: String?.self) == nil)
        #expect(try run.decode("last_result", as: String.self) == "abandoned at shutdown")
        #expect(log.all.contains { $0.contains("abandoned at the shutdown deadline") }, "\(log.all)")
        #expect(log.all.contains { $0.contains("outcome=abandoned") && $0.contains("57014") }, "\(log.all)")
        try sql.query("SELECT pg_advisory_unlock($1::int8)", [Self.lockKey + 1])
        try await server.shutdown()
    }
}
