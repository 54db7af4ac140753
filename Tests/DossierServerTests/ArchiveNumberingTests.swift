import Foundation
import Postgres
import Testing
import TestSupport

/// Archive numbers stay unique and gapless per (department, category, year)
/// when three daemons with twenty connections each approve 600 filings at once.
@Suite struct ArchiveNumberingTests {
    @Test func threeDaemonsSixHundredFilings() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        // 600 submitted dossiers across two offices and three categories, each
        // with its pending filing approval, written directly to save time.
        try sql.execute(script: """
            SET search_path = dossier, public;
            WITH src AS (
                SELECT g, CASE WHEN g % 2 = 0 THEN 'li.na' ELSE 'zhao.lei' END AS login,
                       (ARRAY['HT', 'BJ', 'DD'])[1 + g % 3] AS category
                  FROM generate_series(1, 600) g
            ), made AS (
                INSERT INTO dossiers (dept_id, category, status, owner_id, submitted_at)
                SELECT u.dept_id, s.category, 'submitted', u.id, now() FROM src s JOIN users u ON u.login = s.login
                RETURNING id, dept_id, owner_id
            ), contents AS (
                INSERT INTO dossier_contents (dossier_id, customer_id, title)
                SELECT m.id, c.id, '合同' FROM made m JOIN customers c ON c.dept_id = m.dept_id
            ), approvals_made AS (
                INSERT INTO approvals (kind, dept_id, requester_id, dossier_id, step_count)
                SELECT 'file', dept_id, owner_id, id, 1 FROM made RETURNING id, dept_id, requester_id
            )
            INSERT INTO approval_steps (approval_id, step_no, approver_role, approver_dept_id, requester_id)
            SELECT id, 1, 'manager', dept_id, requester_id FROM approvals_made;
            """)
        let pending = try sql.query("""
            SELECT a.id, d.code FROM dossier.approvals a JOIN dossier.departments d ON d.id = a.dept_id ORDER BY a.id
            """).rows.map { (try $0.decode("id", as: Int64.self), try $0.decode("code", as: String.self)) }
        #expect(pending.count == 600)

        // Three daemon processes on the same database.
        var daemons: [(DaemonProcess, Int)] = []
        for _ in 0..<3 {
            let port = try LineClient.freePort()
            let daemon = try DaemonProcess(arguments: [
                "serve", "--database-url", server.database.daemonConninfo, "--listen", "127.0.0.1:\(port)",
                "--pool-size", "4", "--log-level", "warning",
                // The whole suite runs alongside: sixty bcrypt AUTHs on two cores may
                // keep all four connections busy for longer than the default 5 s.
                "--pool-timeout", "120", "--no-jobs",
            ])
            daemons.append((daemon, port))
        }
        for (daemon, port) in daemons {
            // Wait until it accepts connections.
            var ready = false
            for _ in 0..<600 where !ready {
                if let client = try? await LineClient(port: port) {
                    ready = try await client.readLine()?.hasPrefix("OK DOSSIER/1") == true
                } else {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            #expect(ready, "\(daemon.text)")
        }

        // 20 connections per daemon; each manager approves only their office's requests.
        let byOffice = Dictionary(grouping: pending, by: \.1).mapValues { $0.map(\.0) }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for connection in 0..<60 {
                let office = connection % 2 == 0 ? "SH" : "BJ"
                let login = office == "SH" ? "mgr.sh" : "mgr.bj"
                let port = daemons[connection % 3].1
                let mine = byOffice[office]!.enumerated().filter { $0.offset % 30 == connection / 2 }.map(\.element)
                group.addTask {
                    let client = try await LineClient(port: port)
                    _ = try await client.readLine()
                    let auth = try await client.request("AUTH \(login) \(Company.password)")
                    #expect(auth.first?.hasPrefix("OK") == true, "AUTH \(login): \(auth)")
                    var approved = 0
                    for id in mine {
                        let answer = try await client.request("APPROVE A\(id)")
                        // The answer names the number it assigned.
                        if answer.count == 1, answer[0].hasPrefix("OK A\(id) approved number=\(office)-") {
                            approved += 1
                        } else {
                            Issue.record("APPROVE A\(id): \(answer)")
                        }
                    }
                    return approved
                }
            }
            var total = 0
            for try await approved in group { total += approved }
            #expect(total == 600)
        }

        let sequences = try sql.query("""
            SELECT dept_id, category, filed_year, array_agg(filed_seq ORDER BY filed_seq)::text AS seqs, count(*)::int8 AS n,
                   count(DISTINCT number)::int8 AS numbers
              FROM dossier.dossiers WHERE status = 'filed' GROUP BY 1, 2, 3
            """).rows
        #expect(sequences.count == 6)
        for row in sequences {
            let n = try row.decode("n", as: Int.self)
            #expect(try row.decode("seqs", as: String.self) == "{" + (1...n).map(String.init).joined(separator: ",") + "}")
            #expect(try row.decode("numbers", as: Int.self) == n)
        }
        for (daemon, _) in daemons {
            daemon.terminate()
            #expect(await daemon.waitForExit() == 0)
        }
        try await server.shutdown()
    }
}
