import Foundation
import Postgres
import Testing
import TestSupport

/// The scheduler in real `dossierd serve` processes sharing one database:
/// each job occurrence runs in exactly one daemon, a crashed daemon's job is
/// picked up once its lease has run out, and shutdown leaves no lease behind.
@Suite struct SchedulerDaemonTests {
    static func daemon(_ server: TestServer, _ extra: [String] = []) throws -> DaemonProcess {
        try DaemonProcess(arguments: [
            "serve", "--database-url", server.database.daemonConninfo, "--listen", "127.0.0.1:\(try LineClient.freePort())",
            "--pool-size", "3", "--pool-timeout", "120", "--log-level", "debug", "--jobs-poll", "1",
        ] + extra)
    }

    static func count(_ sql: PostgresConnection, _ query: String, _ params: [(any PostgresEncodable)?] = []) throws -> Int {
        try sql.query(query, params).rows[0].decode(0, as: Int.self)
    }

    @Test func twoDaemonsRunTheDuePurgeExactlyOnce() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        var purged: [(ref: String, id: Int64)] = []
        for filed in [true, false, true] { purged.append(try await company.deletedDossier(filed: filed, pastGrace: true)) }
        let withinGrace = try await company.deletedDossier(pastGrace: false)
        let held = try await company.deletedDossier(pastGrace: true)
        #expect(try await company.client("mgr.sh").request("HOLD PLACE \(held.ref) reason=诉讼") == ["OK"])

        // A daemon without jobs, then two with: the fresh job rows make both jobs due at once.
        let idle = try Self.daemon(server, ["--no-jobs"])
        #expect(await idle.waitForOutput(containing: "listening"), "\(idle.text)")
        let daemons = [try Self.daemon(server), try Self.daemon(server)]
        #expect(try await pollUntil {
            try Self.count(sql, "SELECT count(*)::int8 FROM dossier.job_runs WHERE job = 'purge' AND last_done IS NOT NULL") == 1
        }, "\(daemons.map(\.text))")
        // Wait until each daemon has looked again and found the purge done.
        for daemon in daemons {
            #expect(await daemon.waitForOutput(containing: "job name=purge waits reason=done"), "\(daemon.text)")
        }

        #expect(try Self.count(sql, "SELECT claims FROM dossier.job_runs WHERE job = 'purge'") == 1)
        let ran = daemons.filter { $0.text.contains("outcome=done purged=3") }
        #expect(ran.count == 1, "\(daemons.map(\.text))")
        #expect(ran.first?.text.contains("job name=purge reason=due claim=1") == true)
        // One purge audit row per purged dossier; the others keep their content.
        let audited = try sql.query("""
            SELECT target, count(*)::int8 AS n FROM dossier.audit_log WHERE action = 'dossier.purge' GROUP BY target ORDER BY target
            """).rows.map { (try $0.decode("target", as: String.self), try $0.decode("n", as: Int.self)) }
        #expect(audited.map(\.0) == purged.map(\.ref).sorted() && audited.allSatisfy { $0.1 == 1 }, "\(audited)")
        for dossier in purged {
            #expect(try Self.count(sql, "SELECT count(*)::int8 FROM dossier.dossier_contents WHERE dossier_id = $1::int8", [dossier.id]) == 0)
            #expect(try Self.count(sql, "SELECT count(*)::int8 FROM dossier.audit_log WHERE action = 'dossier.delete' AND target = $1::text", [dossier.ref]) == 1)
        }
        for dossier in [withinGrace, held] {
            #expect(try sql.query("SELECT status FROM dossier.dossiers WHERE id = $1::int8", [dossier.id]).rows[0].decode(0, as: String.self) == "deleted")
            #expect(try Self.count(sql, "SELECT count(*)::int8 FROM dossier.dossier_contents WHERE dossier_id = $1::int8", [dossier.id]) == 1)
        }
        // The sweep was invoked by the scheduler too (its results are not this test's business).
        #expect(try Self.count(sql, "SELECT count(*)::int8 FROM dossier.job_runs WHERE job = 'penalty-sweep' AND claims >= 1") == 1)

        for daemon in daemons + [idle] {
            daemon.terminate()
            #expect(await daemon.waitForExit() == 0, "\(daemon.text)")
        }
        for daemon in daemons { #expect(daemon.text.contains("scheduler stopped"), "\(daemon.text)") }
        #expect(!idle.text.contains("scheduler"), "\(idle.text)")
        #expect(try Self.count(sql, "SELECT count(*)::int8 FROM dossier.job_runs WHERE leased_by IS NOT NULL") == 0)
        try await server.shutdown()
    }

    @Test func aStaleLeaseIsPickedUpOnceItHasRunOut() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let dossier = try await company.deletedDossier(pastGrace: true)
        // As if a daemon had crashed mid-run: claimed, never ended, lease still on.
        let stale = try sql.query("""
            INSERT INTO dossier.job_runs (job, leased_by, lease_until, last_started, last_done, last_result, claims)
            VALUES ('purge', 'crashed/1/dead', now() + interval '2 seconds', now() - interval '1 minute',
                    now() - interval '1 day', 'purged=0', 7)
            RETURNING lease_until::text
            """).rows[0].decode(0, as: String.self)

        let daemon = try Self.daemon(server)
        #expect(try await pollUntil {
            try Self.count(sql, "SELECT count(*)::int8 FROM dossier.job_runs WHERE job = 'purge' AND claims = 8 AND last_done > last_started") == 1
        }, "\(daemon.text)")
        let run = try sql.query("""
            SELECT leased_by, last_result, last_started >= $1::timestamptz AS after_lease FROM dossier.job_runs WHERE job = 'purge'
            """, [stale]).rows[0]
        #expect(try run.decode("leased_by", as: String?.self) == nil)
        #expect(try run.decode("last_result", as: String.self) == "purged=1")
        #expect(try run.decode("after_lease", as: Bool.self), "the rerun began before the stale lease ran out")
        // The job logs its line after its commit, which the poll above may see first.
        #expect(try await pollUntil(30) { daemon.text.contains("job name=purge reason=lease-expired(crashed/1/dead) claim=8") },
                "\(daemon.text)")
        #expect(try sql.query("SELECT status FROM dossier.dossiers WHERE id = $1::int8", [dossier.id]).rows[0].decode(0, as: String.self) == "purged")
        #expect(try Self.count(sql, "SELECT count(*)::int8 FROM dossier.audit_log WHERE action = 'dossier.purge'") == 1)

        daemon.terminate()
        #expect(await daemon.waitForExit() == 0, "\(daemon.text)")
        try await server.shutdown()
    }

    @Test func serveRefusesABadJobTime() async throws {
        for (options, message) in [(["--jobs-at", "25:00"], "--jobs-at must be HH:MM"),
                                   (["--jobs-at", "2:00"], "--jobs-at must be HH:MM"),
                                   (["--jobs-lease", "2"], "--jobs-lease must be at least 3 seconds")] {
            let daemon = try DaemonProcess(arguments: ["serve", "--listen", "127.0.0.1:1"] + options)
            let status = await daemon.waitForExit()
            #expect(status != nil && status != 0)
            #expect(daemon.text.contains(message), "\(daemon.text)")
        }
    }
}
