import Foundation
import Postgres
import Testing
import TestSupport

/// The leaks of issue 10, each as it was reproduced over the protocol:
/// records about a dossier (approvals, penalties, the destruction register,
/// audit rows) follow the dossier's visibility; approval chains are checked
/// again at each decision; a sweep never runs ahead of today or of the
/// deletion grace.
@Suite struct SecurityLeakTests {
    /// One pending `file` request per fixture dossier, by its owner.
    static func fileRequests(_ sql: PostgresConnection, _ fixture: RecordsFixture) throws -> [Int64: RecordsFixture.Dossier] {
        var byApproval: [Int64: RecordsFixture.Dossier] = [:]
        for dossier in fixture.dossiers {
            let id = try sql.query("""
                WITH a AS (
                    INSERT INTO dossier.approvals (kind, dept_id, requester_id, dossier_id, payload, reason, step_count)
                    SELECT 'edit', d.dept_id, d.owner_id, d.id, '{"title":"新标题"}', '机密原因', 1
                      FROM dossier.dossiers d WHERE d.id = $1::int8
                    RETURNING id, dept_id, requester_id)
                INSERT INTO dossier.approval_steps (approval_id, step_no, approver_role, approver_dept_id, requester_id)
                SELECT id, 1, 'manager', dept_id, requester_id FROM a
                RETURNING approval_id
                """, [dossier.id]).rows[0].decode(0, as: Int64.self)
            byApproval[id] = dossier
        }
        return byApproval
    }

    /// An approval of a dossier whose register entry the caller does not see
    /// is as hidden as the dossier: listed nowhere, NOTFOUND when named.
    @Test func approvalsFollowTheDossier() async throws {
        let server = try await TestServer()
        let sql = try server.database.admin()
        let fixture = try RecordsFixture.load(into: sql)
        let requests = try Self.fileRequests(sql, fixture)
        sql.close()
        for user in fixture.users where ["manager", "archivist", "rep"].contains(user.role) {
            let client = try await server.client(as: user.login, password: "secret")
            let listed = try await client.request("APPROVAL LIST status=all")
            let seen = Set(listed.dropLast().compactMap { $0.firstMatch(of: /id=A(\d+)/).map { Int64($0.1)! } })
            let expected = Set(requests.filter { id, dossier in
                let byRole = dossier.owner == user.login || (["manager", "archivist"].contains(user.role) && dossier.dept == user.dept)
                return byRole && VisibilityOracle.register(user, dossier)
            }.keys)
            #expect(seen == expected, "\(user.login) lists \(seen.sorted()) instead of \(expected.sorted())")
            for (id, dossier) in requests where !expected.contains(id) {
                #expect(try await client.request("APPROVAL SHOW A\(id)") == ["ERR NOTFOUND no approval A\(id)"],
                        "\(user.login) on A\(id) about \(dossier)")
                if user.role == "manager" {
                    #expect(try await client.request("APPROVE A\(id)") == ["ERR NOTFOUND no approval A\(id)"])
                    #expect(try await client.request("REJECT A\(id) reason=x") == ["ERR NOTFOUND no approval A\(id)"])
                }
            }
        }
        // The archivist no longer lists filing requests of others' drafts.
        let archivist = try await server.client(as: "arc.sh", password: "secret")
        let drafts = requests.filter { $0.value.dept == "SH" && ["draft", "submitted", "deleted"].contains($0.value.status) }
        let listed = try await archivist.request("APPROVAL LIST status=all")
        for id in drafts.keys { #expect(!listed.contains { $0.contains("id=A\(id) ") }) }
        try await server.shutdown()
    }

    /// PENALTY LIST does not name a dossier the caller does not see; the
    /// destruction register and audit rows about it are not shown at all.
    @Test func penaltiesDestructionsAndAuditRowsFollowTheDossier() async throws {
        let server = try await TestServer()
        let sql = try server.database.admin()
        let fixture = try RecordsFixture.load(into: sql)
        let secret = try #require(fixture.dossiers.first { $0.owner == "rep.sh" && $0.level == "top_secret" && $0.status == "filed" })
        let plain = try #require(fixture.dossiers.first { $0.owner == "rep.sh" && $0.level == "internal" && $0.status == "filed" })
        let numbers = try sql.query("SELECT id, number FROM dossier.dossiers WHERE id = ANY ($1::int8[])",
                                    ["{\(secret.id),\(plain.id)}"]).rows
        let number = Dictionary(uniqueKeysWithValues: try numbers.map {
            (try $0.decode("id", as: Int64.self), try $0.decode("number", as: String.self)) })
        for dossier in [secret, plain] {
            try sql.query("""
                INSERT INTO dossier.penalties (user_id, dept_id, rule_code, base_amount_fen, amount_fen, ordinal_in_month,
                                               staff_line, occurred_on, dossier_id)
                SELECT d.owner_id, d.dept_id, 'LATE_FILING', 5000, 5000, 1, 'sales', current_date, d.id
                  FROM dossier.dossiers d WHERE d.id = $1::int8
                """, [dossier.id])
            try sql.query("""
                INSERT INTO dossier.destructions (dossier_id, number, category, level, dept_id, what, reason, method,
                                                  requested_by, approved_by)
                SELECT d.id, d.number, d.category, d.level, d.dept_id, d.number || ' ' || d.level, '到期', 'shred',
                       d.owner_id, ARRAY[d.owner_id]
                  FROM dossier.dossiers d WHERE d.id = $1::int8
                """, [dossier.id])
        }
        sql.close()
        let daemon = try server.database.daemon()
        for dossier in [secret, plain] {
            try daemon.asUser(fixture.user("rep.sh").id) { connection in
                try connection.query("SELECT dossier.audit('dossier.new', $1::text, '', 'C-2026-00001')", ["D\(dossier.id)"])
                try connection.query("SELECT dossier.audit('dossier.show', $1::text, '查看')", [number[dossier.id]!])
            }
        }
        daemon.close()

        for login in ["mgr.sh", "aud"] {
            let client = try await server.client(as: login, password: "secret")
            let penalties = try await client.request("PENALTY LIST")
            #expect(penalties.contains { $0.contains("ref=\(number[plain.id]!)") }, "\(login): \(penalties)")
            #expect(!penalties.contains { $0.contains("ref=\(number[secret.id]!)") || $0.contains("ref=D\(secret.id)") },
                    "\(login): \(penalties)")
            let register = try await client.request("DESTRUCTION LIST")
            #expect(register.contains { $0.contains("number=\(number[plain.id]!)") }, "\(login): \(register)")
            #expect(!register.contains { $0.contains(number[secret.id]!) || $0.contains("top_secret") }, "\(login): \(register)")
            if login == "aud" {
                #expect(try await client.request("AUDIT LIST ref=D\(secret.id)") == ["OK 0"])
                #expect(try await client.request("AUDIT LIST ref=\(number[secret.id]!)") == ["OK 0"])
                #expect(try await client.request("AUDIT LIST ref=D\(plain.id)").last == "OK 2")
                let all = try await client.request("AUDIT LIST")
                #expect(!all.contains { $0.contains("D\(secret.id)") || $0.contains(number[secret.id]!) }, "\(all)")
            }
        }
        // The owner and directors still see all of it.
        let director = try await server.client(as: "dir", password: "secret")
        #expect(try await director.request("AUDIT LIST ref=D\(secret.id)").last == "OK 2")
        #expect(try await director.request("DESTRUCTION LIST").last == "OK 2")
        try await server.shutdown()
    }

    /// A loan and an access request made while a dossier was `internal` and
    /// decided after it was raised to `secret`: the chain is the one `secret`
    /// needs now, and the week asked for no longer fits.
    @Test func approvalChainsAreCheckedAgainAtEachDecision() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let ref = try await company.draft(rep)
        let filing = try await company.submit(rep, ref)
        let manager = try await company.client("mgr.sh")
        #expect(try await manager.request("APPROVE \(filing)").first?.hasPrefix("OK \(filing) approved number=") == true)
        let number = try #require(try await rep.request("DOSSIER SHOW \(ref)").first?.firstMatch(of: /number=(\S+)/)?.1)

        let borrower = try await company.client("zhao.lei")
        #expect(try await borrower.request("LOAN REQUEST \(number) purpose=核对 days=7").first?.hasPrefix("OK L") == true)
        let access = try #require(try await borrower.request("ACCESS REQUEST \(number) purpose=核对").first?
            .firstMatch(of: /^OK (A\d+) pending$/)?.1)
        let loan = try #require(try await manager.request("APPROVAL LIST kind=loan").first?.firstMatch(of: /id=(A\d+)/)?.1)

        let sql = try server.database.admin()
        try sql.query("UPDATE dossier.dossiers SET level = 'secret' WHERE number = $1::text", [String(number)])
        sql.close()

        // The manager's single step of an internal loan is a director's now.
        #expect(try await manager.request("APPROVE \(loan)") == ["ERR DENIED \(loan) waits for a director, step 1"])
        let director = try await company.client("dir")
        let decided = try await director.request("APPROVE \(loan)")
        #expect(decided.first?.hasPrefix("ERR CONFLICT \(loan) no longer fits the loan rule of a secret dossier") == true, "\(decided)")
        #expect(try await director.request("REJECT \(loan) reason=太长") == ["OK \(loan) rejected"])

        // Access to a personal secret dossier: the manager, then a director.
        #expect(try await manager.request("APPROVE \(access)") == ["OK \(access) next=director"])
        #expect(try await director.request("APPROVE \(access)") == ["OK \(access) approved"])
        try await server.shutdown()
    }

    /// PENALTY SWEEP evaluates no day that has not begun, and its purge never
    /// ends a deletion grace early.
    @Test func sweepRefusesTheFutureAndKeepsTheGrace() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        let today = try sql.query("SELECT current_date::text").rows[0].decode(0, as: String.self)
        let tomorrow = try sql.query("SELECT (current_date + 1)::text").rows[0].decode(0, as: String.self)
        let rep = try await company.client("li.na")
        let ref = try await company.draft(rep)
        // Deleted almost 30 days ago: its grace ends later today, between now and midnight.
        try sql.query("""
            UPDATE dossier.dossiers
               SET status = 'deleted', status_before_delete = 'draft', deleted_at = now() - interval '29 days',
                   purge_after = now() + ((current_date + 1)::timestamptz - now()) / 2
             WHERE id = $1::int8
            """, [Int64(ref.dropFirst())!])
        let auditor = try await company.client("aud")
        let refused = try await auditor.request("PENALTY SWEEP date=\(tomorrow)")
        #expect(refused.first?.hasPrefix("ERR ARGS") == true, "\(refused)")
        #expect(try await auditor.request("PENALTY SWEEP date=\(today)").first?.hasPrefix("OK") == true)
        let status = try sql.query("SELECT status FROM dossier.dossiers WHERE id = $1::int8", [Int64(ref.dropFirst())!])
            .rows[0].decode(0, as: String.self)
        #expect(status == "deleted")
        #expect(try await rep.request("DOSSIER RESTORE \(ref)").first?.hasPrefix("OK") == true)
        sql.close()
        try await server.shutdown()
    }
}
