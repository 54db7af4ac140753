import DossierProtocol
import DossierServer
import Foundation
import Logging
import Postgres
import Testing
import TestSupport

extension Company {
    /// A dossier of li.na deleted through approval (`filed` first or still a
    /// draft); with `pastGrace` its 30 days are made to have run out. Returns
    /// its reference (the archive number once filed) and id.
    func deletedDossier(filed: Bool = true, pastGrace: Bool) async throws -> (ref: String, id: Int64) {
        let rep = try await client("li.na")
        let manager = try await client("mgr.sh")
        let draft = try await self.draft(rep)
        var ref = draft
        if filed {
            let approval = try await submit(rep, draft)
            #expect(try await manager.request("APPROVE \(approval)").first?.hasPrefix("OK \(approval) approved number=") == true)
            ref = String(try #require(try await rep.request("DOSSIER SHOW \(draft)").first?.firstMatch(of: /number=(\S+)/)?.1))
        }
        let answer = try await rep.request("DOSSIER DELETE \(ref) reason=重复建档")
        let approval = try #require(answer.first?.firstMatch(of: /^OK (A\d+) pending$/)?.1, "\(answer)")
        #expect(try await manager.request("APPROVE \(approval)") == ["OK \(approval) approved"])
        let id = Int64(draft.dropFirst())!
        if pastGrace {
            let sql = try server.database.admin()
            defer { sql.close() }
            try sql.query("""
                UPDATE dossier.dossiers SET deleted_at = now() - interval '31 days', purge_after = now() - interval '1 day'
                 WHERE id = $1::int8
                """, [id])
        }
        return (ref, id)
    }
}

/// Polls `condition` (every 100 ms, up to `seconds`): for waiting on another
/// process without asserting how long it takes.
func pollUntil(_ seconds: Double = 120, _ condition: () async throws -> Bool) async throws -> Bool {
    try await Polling.until(seconds: seconds, every: .milliseconds(100), condition)
}

/// The purge at the end of the deletion grace, run through the scheduler in
/// process (`JobScheduler.runNow` / `runDueJobs`), and the scheduler's
/// handling of failed and taken-over runs.
@Suite struct DeletionPurgeTests {
    static func scheduler(_ server: TestServer, jobs: [ScheduledJob]) -> JobScheduler {
        var logger = Logger(label: "test-scheduler")
        logger.logLevel = .critical
        return JobScheduler(jobs: jobs, pool: server.pool, configuration: .init(daemonID: "test/1/1"), logger: logger)
    }

    static let purgeJob = ScheduledJob.deletionPurge(.daily(at: TimeOfDay(hour: 2, minute: 0)!))

    @Test func purgeRemovesContentPastGraceAndKeepsTheRest() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let past = try await company.deletedDossier(pastGrace: true)
        let pastDraft = try await company.deletedDossier(filed: false, pastGrace: true)
        let withinGrace = try await company.deletedDossier(pastGrace: false)
        let held = try await company.deletedDossier(pastGrace: true)
        let manager = try await company.client("mgr.sh")
        #expect(try await manager.request("HOLD PLACE \(held.ref) reason=诉讼") == ["OK"])
        let rep = try await company.client("li.na")
        let kept = try await company.draft(rep)
        let auditBefore = try sql.query("SELECT count(*)::int8 FROM dossier.audit_log").rows[0].decode(0, as: Int.self)

        let scheduler = Self.scheduler(server, jobs: [Self.purgeJob])
        #expect(await scheduler.runNow("purge") == .done(JobReport([("purged", 2)])))

        // Content and items of the two past grace are gone; the tombstone keeps its number.
        func left(_ id: Int64) throws -> (status: String, number: String?, contents: Int, items: Int, title: String?) {
            let row = try sql.query("""
                SELECT d.status, d.number, d.register_title,
                       (SELECT count(*) FROM dossier.dossier_contents c WHERE c.dossier_id = d.id)::int8 AS contents,
                       (SELECT count(*) FROM dossier.items i WHERE i.dossier_id = d.id)::int8 AS items
                  FROM dossier.dossiers d WHERE d.id = $1::int8
                """, [id]).rows[0]
            return (try row.decode("status", as: String.self), try row.decode("number", as: String?.self),
                    try row.decode("contents", as: Int.self), try row.decode("items", as: Int.self),
                    try row.decode("register_title", as: String?.self))
        }
        let purged = try left(past.id)
        #expect(purged.status == "purged" && purged.number == past.ref && purged.contents == 0 && purged.items == 0 && purged.title == nil)
        // A purged dossier has no retention left to compute; a deleted, restorable one keeps its date.
        let dated = try sql.query("SELECT dossier_id FROM dossier.dossier_retention").rows.map { try $0.decode(0, as: Int64.self) }
        #expect(!dated.contains(past.id) && dated.contains(withinGrace.id) && dated.contains(held.id), "\(dated)")
        let purgedDraft = try left(pastDraft.id)
        #expect(purgedDraft.status == "purged" && purgedDraft.number == nil && purgedDraft.contents == 0 && purgedDraft.items == 0)
        for (id, status) in [(withinGrace.id, "deleted"), (held.id, "deleted"), (Int64(kept.dropFirst())!, "draft")] {
            let row = try left(id)
            #expect(row.status == status && row.contents == 1 && row.items == 1, "D\(id): \(row)")
        }
        #expect(try await rep.request("DOSSIER SHOW \(past.ref)") == ["ERR CONFLICT \(past.ref) is purged; only its register entry remains"])
        #expect(try await rep.request("DOSSIER RESTORE \(past.ref)") == ["ERR CONFLICT \(past.ref) is purged; only its register entry remains"])
        #expect(try await rep.request("DOSSIER RESTORE \(withinGrace.ref)") == ["OK"])

        // Audit rows stay; one purge row per purged dossier, by the system.
        let audit = try sql.query("""
            SELECT target, login, role, user_id IS NULL AS system FROM dossier.audit_log WHERE action = 'dossier.purge' ORDER BY id
            """).rows
        #expect(try audit.map { try $0.decode("target", as: String.self) } == [past.ref, pastDraft.ref])
        #expect(try audit.allSatisfy { try $0.decode("login", as: String.self) == "system:purge" && $0.decode("system", as: Bool.self) })
        let deletions = try sql.query("SELECT count(*)::int8 FROM dossier.audit_log WHERE action = 'dossier.delete' AND target = $1::text",
                                      [past.ref]).rows[0].decode(0, as: Int.self)
        #expect(deletions == 1)
        #expect(try sql.query("SELECT count(*)::int8 FROM dossier.audit_log").rows[0].decode(0, as: Int.self) == auditBefore + 2 + 1)  // + restore

        // The run is recorded; a second run purges nothing (idempotent).
        let run = try sql.query("SELECT leased_by, lease_until, last_result, claims, last_done >= last_started AS ended FROM dossier.job_runs WHERE job = 'purge'").rows[0]
        #expect(try run.decode("leased_by", as: String?.self) == nil && run.decode("lease_until", as: String?.self) == nil)
        #expect(try run.decode("last_result", as: String.self) == "purged=2" && run.decode("claims", as: Int.self) == 1 && run.decode("ended", as: Bool.self))
        #expect(await scheduler.runNow("purge") == .done(JobReport([("purged", 0)])))

        // Once the hold is released, the next run purges the held dossier.
        #expect(try await manager.request("HOLD RELEASE \(held.ref) reason=结案") == ["OK"])
        #expect(await scheduler.runNow("purge") == .done(JobReport([("purged", 1)])))
        #expect(try left(held.id).status == "purged")
        #expect(try sql.query("SELECT count(*)::int8 FROM dossier.audit_log WHERE action = 'dossier.purge'").rows[0].decode(0, as: Int.self) == 3)
        try await server.shutdown()
    }

    @Test func aDueJobRunsOnceAndWaitsForItsNextOccurrence() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let past = try await company.deletedDossier(pastGrace: true)
        let sql = try server.database.admin()
        defer { sql.close() }
        let scheduler = Self.scheduler(server, jobs: [Self.purgeJob])
        // Never run: due at once. Then done until tomorrow's occurrence.
        await scheduler.runDueJobs()
        await scheduler.runDueJobs()
        let run = try sql.query("SELECT claims, last_result FROM dossier.job_runs WHERE job = 'purge'").rows[0]
        #expect(try run.decode("claims", as: Int.self) == 1 && run.decode("last_result", as: String.self) == "purged=1")
        #expect(try sql.query("SELECT status FROM dossier.dossiers WHERE id = $1::int8", [past.id]).rows[0].decode(0, as: String.self) == "purged")
        try await server.shutdown()
    }

    @Test func aThrowingJobIsAFailedRunReleasedAndRetriedAfterTheDelay() async throws {
        let server = try await TestServer()
        let sql = try server.database.admin()
        defer { sql.close() }
        let failing = ScheduledJob(name: "failing", schedule: .daily(at: TimeOfDay(hour: 2, minute: 0)!)) { _, connection in
            // Work that must roll back with the failure.
            try connection.query("UPDATE departments SET name = 'changed' WHERE code = 'HQ'")
            throw ProtocolError(.unknown, "not available")
        }
        let scheduler = Self.scheduler(server, jobs: [failing])
        await scheduler.runDueJobs()
        let run = try sql.query("""
            SELECT leased_by, lease_until, last_done, last_started IS NOT NULL AS started, last_result, claims FROM dossier.job_runs WHERE job = 'failing'
            """).rows[0]
        #expect(try run.decode("leased_by", as: String?.self) == nil && run.decode("lease_until", as: String?.self) == nil)
        #expect(try run.decode("last_done", as: String?.self) == nil && run.decode("started", as: Bool.self))
        #expect(try run.decode("last_result", as: String.self) == "failed: UNKNOWN not available")
        #expect(try run.decode("claims", as: Int.self) == 1)
        #expect(try sql.query("SELECT name FROM dossier.departments WHERE code = 'HQ'").rows[0].decode(0, as: String.self) != "changed")

        // Not again before the retry delay (600 s) …
        await scheduler.runDueJobs()
        #expect(try sql.query("SELECT claims FROM dossier.job_runs WHERE job = 'failing'").rows[0].decode(0, as: Int.self) == 1)
        // … and again once it has passed.
        try sql.query("UPDATE dossier.job_runs SET last_started = now() - interval '601 seconds' WHERE job = 'failing'")
        await scheduler.runDueJobs()
        #expect(try sql.query("SELECT claims FROM dossier.job_runs WHERE job = 'failing'").rows[0].decode(0, as: Int.self) == 2)
        try await server.shutdown()
    }

    @Test func aRunWhoseLeaseWasTakenOverRollsBack() async throws {
        let server = try await TestServer()
        let sql = try server.database.admin()
        defer { sql.close() }
        let conninfo = server.database.adminConninfo
        let overtaken = ScheduledJob(name: "overtaken", schedule: .daily(at: TimeOfDay(hour: 2, minute: 0)!)) { _, connection in
            try connection.query("UPDATE departments SET name = 'changed' WHERE code = 'HQ'")
            // Meanwhile another daemon claims the job (as after an expired lease).
            let other = try PostgresConnection(conninfo: conninfo)
            defer { other.close() }
            try other.query("UPDATE dossier.job_runs SET claims = claims + 1, leased_by = 'other/2/2', lease_until = now() + interval '5 minutes' WHERE job = 'overtaken'")
            return JobReport([("changed", 1)])
        }
        let scheduler = Self.scheduler(server, jobs: [overtaken])
        let outcome = await scheduler.runNow("overtaken")
        guard case .failed(let message) = outcome else { Issue.record("\(String(describing: outcome))"); return }
        #expect(message.contains("taken over"))
        #expect(try sql.query("SELECT name FROM dossier.departments WHERE code = 'HQ'").rows[0].decode(0, as: String.self) != "changed")
        // The other daemon's claim is left alone.
        let run = try sql.query("SELECT leased_by, claims FROM dossier.job_runs WHERE job = 'overtaken'").rows[0]
        #expect(try run.decode("leased_by", as: String?.self) == "other/2/2" && run.decode("claims", as: Int.self) == 2)
        try await server.shutdown()
    }

    /// `PENALTY SWEEP date=` also purges, as of that date — never ahead of
    /// the 30-day grace, and a date after today is refused (issue 10; issue 6
    /// had a future date purge early).
    @Test func penaltySweepPurgesOnlyPastTheGraceAndKeepsTheAuditRows() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let kept = try await company.deletedDossier(pastGrace: false)
        let dossier = try await company.deletedDossier(pastGrace: true)
        let later = try sql.query("SELECT (current_date + 31)::text").rows[0].decode(0, as: String.self)
        let today = try sql.query("SELECT current_date::text").rows[0].decode(0, as: String.self)
        let auditor = try await company.client("aud")
        #expect(try await auditor.request("PENALTY SWEEP date=\(later)").first?.hasPrefix("ERR ARGS") == true)
        #expect(try await auditor.request("PENALTY SWEEP date=\(today)").first?.hasPrefix("OK") == true)
        #expect(try await company.client("li.na").request("DOSSIER SHOW \(dossier.ref)")
                == ["ERR CONFLICT \(dossier.ref) is purged; only its register entry remains"])
        #expect(try sql.query("SELECT count(*)::int8 FROM dossier.dossier_contents WHERE dossier_id = $1::int8", [dossier.id])
                    .rows[0].decode(0, as: Int.self) == 0)
        #expect(try sql.query("SELECT status FROM dossier.dossiers WHERE id = $1::int8", [kept.id])
                    .rows[0].decode(0, as: String.self) == "deleted")
        let actions = try sql.query("SELECT action FROM dossier.audit_log WHERE target = $1::text ORDER BY id", [dossier.ref])
            .rows.map { try $0.decode(0, as: String.self) }
        #expect(actions.contains("dossier.delete") && actions.last == "dossier.purge", "\(actions)")
        // A second sweep purges nothing more.
        _ = try await auditor.request("PENALTY SWEEP date=\(today)")
        #expect(try sql.query("SELECT count(*)::int8 FROM dossier.audit_log WHERE action = 'dossier.purge'").rows[0].decode(0, as: Int.self) == 1)
        try await server.shutdown()
    }
}
