import Foundation
import Postgres
import Testing
import TestSupport

/// `AUDIT LIST` and `AUDIT VERIFY` over the protocol, and the audit row every
/// state-changing command and every dossier read writes.
@Suite struct AuditTests {
    /// One audit row as the superuser reads it.
    struct Written: Equatable, CustomStringConvertible {
        let login: String
        let action: String
        let target: String
        var description: String { "\(login) \(action) \(target)" }
    }

    /// The audit log as the superuser sees it, for checks behind the protocol's back.
    struct Log {
        let sql: PostgresConnection

        var lastID: Int64 {
            get throws { try sql.query("SELECT coalesce(max(id), 0) FROM dossier.audit_log").rows[0].decode(0, as: Int64.self) }
        }

        func rows(after id: Int64) throws -> [Written] {
            try sql.query("SELECT login, action, target FROM dossier.audit_log WHERE id > $1::int8 ORDER BY id", [id]).rows.map {
                Written(login: try $0.decode("login", as: String.self), action: try $0.decode("action", as: String.self),
                        target: try $0.decode("target", as: String.self))
            }
        }
    }

    /// A filed dossier of li.na, approved by mgr.sh; returns (D<n>, archive number).
    func filed(_ company: Company) async throws -> (String, String) {
        let rep = try await company.client("li.na")
        let ref = try await company.draft(rep)
        let approval = try await company.submit(rep, ref)
        #expect(try await company.client("mgr.sh").request("APPROVE \(approval)").first?.hasPrefix("OK \(approval) approved number=") == true)
        let shown = try await rep.request("DOSSIER SHOW \(ref) purpose=核对")
        return (ref, String(try #require(shown.first?.firstMatch(of: /number=(\S+)/)?.1)))
    }

    @Test func listFiltersByDossierUserTimeAndLimit() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let (ref, number) = try await filed(company)
        let other = try await company.draft(try await company.client("zhao.lei"), customer: "C-2026-00002")
        let auditor = try await company.client("aud")

        // ref= finds the dossier's rows under both its names, and its approvals, newest first.
        let byDraft = try await auditor.request("AUDIT LIST ref=\(ref)")
        let approval = "A1"
        let expected = [
            ("li.na", "dossier.show", number, "核对"), ("mgr.sh", "approval.approve", approval, ""),
            ("mgr.sh", "dossier.file", number, ""), ("li.na", "approval.request", approval, ""),
            ("li.na", "item.add", ref, ""), ("li.na", "dossier.new", ref, ""),
        ]
        #expect(byDraft.count == expected.count + 1, "\(byDraft)")
        #expect(byDraft.last == "OK \(expected.count)")
        for (line, (login, action, target, purpose)) in zip(byDraft, expected) {
            let fields = " user=\(login) action=\(action) target=\(target) purpose=\(purpose.isEmpty ? "\"\"" : purpose) "
            #expect(line.contains(fields), "\(line) lacks \(fields)")
            #expect(line.firstMatch(of: /^\* id=\d+ at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00 user=/) != nil, "\(line)")
        }
        #expect(byDraft[0].hasSuffix(" role=rep dept=SH detail=\"\""), "\(byDraft[0])")
        #expect(try await auditor.request("AUDIT LIST ref=\(number)") == byDraft)
        // The approval's effect and decision came in one transaction: ids run downwards.
        let ids = byDraft.dropLast().map { Int64($0.firstMatch(of: /id=(\d+)/)!.1)! }
        #expect(ids == ids.sorted(by: >))

        // user= names the acting user; an unknown login is not found.
        let zhao = try await auditor.request("AUDIT LIST user=zhao.lei")
        #expect(zhao.count == 3 && zhao.dropLast().allSatisfy { $0.contains(" user=zhao.lei ") && $0.contains(" target=\(other) ") }, "\(zhao)")
        #expect(try await auditor.request("AUDIT LIST user=nobody") == ["ERR NOTFOUND no user nobody"])
        #expect(try await auditor.request("AUDIT LIST user=zhao.lei ref=\(ref)") == ["OK 0"])

        // limit= keeps the newest rows.
        let all = try await auditor.request("AUDIT LIST limit=1000")
        let total = try sql.query("SELECT count(*)::int8 FROM dossier.audit_log").rows[0].decode(0, as: Int.self)
        #expect(all.last == "OK \(total)")
        #expect(try await auditor.request("AUDIT LIST limit=2") == Array(all.prefix(2)) + ["OK 2"])

        // since= a date (start of that day, server time zone) or an instant.
        #expect(try await auditor.request("AUDIT LIST since=2000-01-01 limit=1000") == all)
        let tomorrow = try sql.query("SELECT to_char(current_date + 1, 'YYYY-MM-DD')").rows[0].decode(0, as: String.self)
        #expect(try await auditor.request("AUDIT LIST since=\(tomorrow)") == ["OK 0"])
        let third = try sql.query("SELECT id, at FROM dossier.audit_log ORDER BY id LIMIT 1 OFFSET 2").rows[0]
        let thirdID = try third.decode("id", as: Int64.self)
        let instant = try sql.query("SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM dossier.audit_log WHERE id = $1::int8",
                                    [thirdID]).rows[0].decode(0, as: String.self)
        let sinceThird = try sql.query("SELECT count(*)::int8 FROM dossier.audit_log WHERE at >= $1::timestamptz", [instant])
            .rows[0].decode(0, as: Int.self)
        let answer = try await auditor.request("AUDIT LIST since=\(instant) limit=1000")
        #expect(answer.last == "OK \(sinceThird)")
        #expect(answer.dropLast().last?.contains("id=\(thirdID) ") == true, "\(answer)")
        #expect(try await auditor.request("AUDIT LIST since=yesterday").first?.hasPrefix("ERR ARGS") == true)
        try await server.shutdown()
    }

    /// DOSSIER SHOW's statement travels with BEGIN, before the command table's
    /// role check: a refused role gets DENIED (not "no dossier"), and whatever
    /// the statement did rolls back with the refusal.
    @Test func aShowRefusedByTheCommandTableLeavesNoTrace() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let (ref, number) = try await filed(company)
        let log = Log(sql: sql)
        let before = try log.lastID
        let admin = try await server.admin()
        for target in [ref, number] {
            #expect(try await admin.request("DOSSIER SHOW \(target) purpose=查看") == ["ERR DENIED DOSSIER SHOW is not for role admin"])
        }
        #expect(try log.rows(after: before) == [])
        // The same connection goes on as before.
        #expect(try await admin.request("WHOAMI").first?.hasPrefix("OK admin role=admin") == true)
        #expect(try await company.client("li.na").request("DOSSIER SHOW \(ref) purpose=核对").first?.contains("number=\(number)") == true)
        #expect(try log.rows(after: before) == [Written(login: "li.na", action: "dossier.show", target: number)])
    }

    @Test func listIsForAuditorsAndDirectors() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        _ = try await filed(company)
        let everything = try await company.client("aud").request("AUDIT LIST limit=1000")
        #expect(everything.count > 5)
        #expect(try await company.client("dir").request("AUDIT LIST limit=1000") == everything)
        for login in ["li.na", "mgr.sh", "arc.sh"] {
            let answer = try await company.client(login).request("AUDIT LIST")
            #expect(answer.first?.hasPrefix("ERR DENIED AUDIT LIST is not for role") == true, "\(login): \(answer)")
        }
        #expect(try await server.admin().request("AUDIT LIST") == ["ERR DENIED AUDIT LIST is not for role admin"])
        // Both see the whole log (their policies in 0009 say so; the SQL-level
        // tests read it as every other role).
        let sql = try server.database.admin()
        defer { sql.close() }
        let total = try sql.query("SELECT count(*)::int8 FROM dossier.audit_log").rows[0].decode(0, as: Int.self)
        #expect(everything.last == "OK \(total)")
        try await server.shutdown()
    }

    @Test func verifyFindsASuperusersEdit() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let (_, number) = try await filed(company)
        let sql = try server.database.admin()
        defer { sql.close() }
        let total = try sql.query("SELECT count(*)::int8 FROM dossier.audit_log").rows[0].decode(0, as: Int.self)
        let auditor = try await company.client("aud")
        #expect(try await auditor.request("AUDIT VERIFY") == ["OK verified \(total)"])
        #expect(try await company.client("dir").request("AUDIT VERIFY") == ["OK verified \(total)"])
        #expect(try await server.admin().request("AUDIT VERIFY") == ["OK verified \(total)"])
        // Without an audit key there are no checkpoints: every row, every time.
        #expect(try await auditor.request("AUDIT VERIFY full=yes") == ["OK verified \(total)"])
        #expect(try sql.query("SELECT count(*)::int8 FROM dossier.audit_checkpoints").rows[0].decode(0, as: Int.self) == 0)
        #expect(try await company.client("li.na").request("AUDIT VERIFY") == ["ERR DENIED AUDIT VERIFY is not for role rep"])
        // Verification writes nothing.
        #expect(try sql.query("SELECT count(*)::int8 FROM dossier.audit_log").rows[0].decode(0, as: Int.self) == total)

        // Behind the product's back: the read's purpose is rewritten.
        let read = try sql.query("SELECT id FROM dossier.audit_log WHERE action = 'dossier.show' AND target = $1::text",
                                 [number]).rows[0].decode(0, as: Int64.self)
        try sql.execute(script: """
            SET session_replication_role = replica;
            UPDATE dossier.audit_log SET purpose = '例行检查' WHERE id = \(read);
            RESET session_replication_role;
            """)
        #expect(try await auditor.request("AUDIT VERIFY") == ["ERR CONFLICT chain broken at \(read)"])
        // Writers go on (their chains are intact); the broken row stays named.
        _ = try await company.client("li.na").request("DOSSIER SHOW \(number)")
        #expect(try await auditor.request("AUDIT VERIFY") == ["ERR CONFLICT chain broken at \(read)"])
        try await server.shutdown()
    }

    @Test func verifyFindsADeletedTailAndADeletedMiddleRow() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let (ref, _) = try await filed(company)
        for n in 0..<4 { _ = try await rep.request("DOSSIER SHOW \(ref) purpose=第\(n)次") }
        let sql = try server.database.admin()
        defer { sql.close() }
        let auditor = try await company.client("aud")
        func delete(_ id: Int64) throws {
            try sql.execute(script: "BEGIN; SET LOCAL session_replication_role = replica; DELETE FROM dossier.audit_log WHERE id = \(id); COMMIT;")
        }
        // The newest row is the last of its chain: without it every remaining
        // row still links up, but the chain's head names it.
        let newest = try sql.query("SELECT max(id) FROM dossier.audit_log").rows[0].decode(0, as: Int64.self)
        try delete(newest)
        #expect(try await auditor.request("AUDIT VERIFY") == ["ERR CONFLICT chain broken at \(newest)"])
        // A row deleted in the middle of a chain breaks the row after it, whose id is lower.
        let chain = try #require(try sql.query("""
            SELECT chain FROM dossier.audit_log GROUP BY chain HAVING count(*) >= 3 ORDER BY chain LIMIT 1
            """).rows.first).decode(0, as: Int16.self)
        let positions = try sql.query("SELECT id FROM dossier.audit_log WHERE chain = $1::int2 ORDER BY position LIMIT 3", [chain])
            .rows.map { try $0.decode(0, as: Int64.self) }
        try delete(positions[1])
        #expect(try await auditor.request("AUDIT VERIFY") == ["ERR CONFLICT chain broken at \(positions[2])"])
        try await server.shutdown()
    }

    /// Every state-changing verb of this version except the penalty verbs, and
    /// the reads of a dossier's content (DOSSIER SHOW, ITEM LIST, DOSSIER
    /// HISTORY): each writes its own row — the action and target below,
    /// by the caller — exactly once, in its own transaction. Final approvals
    /// also write the row of their effect; nothing else is written.
    @Test func everyStateChangingCommandAndEveryReadWritesItsRow() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let log = Log(sql: sql)
        let year = company.year
        // CUSTOMER NEW continues after the two customers the fixture wrote directly.
        try sql.query("""
            INSERT INTO dossier.customer_counters (year, last_no) VALUES (extract(year FROM now())::int, 2)
            ON CONFLICT (year) DO UPDATE SET last_no = 2
            """)
        let admin = try await server.admin()
        let rep = try await company.client("li.na")
        let colleague = try await company.client("wang.fang")
        let manager = try await company.client("mgr.sh")
        let archivist = try await company.client("arc.sh")
        let director = try await company.client("dir")
        let auditor = try await company.client("aud")
        let logins: [ObjectIdentifier: String] = [
            ObjectIdentifier(admin): "admin", ObjectIdentifier(rep): "li.na", ObjectIdentifier(colleague): "wang.fang",
            ObjectIdentifier(manager): "mgr.sh", ObjectIdentifier(archivist): "arc.sh", ObjectIdentifier(director): "dir",
            ObjectIdentifier(auditor): "aud",
        ]
        var covered: [String] = []

        /// Sends `line` as `client`; its answer must start with `OK`; the rows
        /// it wrote must be `expected` (as (action, target), by the caller).
        @discardableResult
        func run(_ client: LineClient, _ line: String, _ expected: (String) throws -> [(String, String)]) async throws -> String {
            let mark = try log.lastID
            let answer = try await client.request(line)
            let final = try #require(answer.last)
            #expect(final.hasPrefix("OK"), "\(line): \(answer)")
            let login = logins[ObjectIdentifier(client)]!
            let wanted = try expected(final).map { Written(login: login, action: $0.0, target: $0.1) }
            #expect(try log.rows(after: mark) == wanted, "\(line)")
            covered.append(line.split(separator: " ").prefix(2).joined(separator: " "))
            return final
        }
        func word(_ final: String, _ n: Int) -> String { String(final.split(separator: " ")[n]) }

        // Directory and settings (admin).
        try await run(admin, "DEPT ADD GZ name=广州") { _ in [("dept.add", "GZ")] }
        try await run(admin, "USER ADD chen name=陈 dept=GZ role=rep password=pw") { _ in [("user.add", "chen")] }
        try await run(admin, "USER PASSWD chen pw2") { _ in [("user.passwd", "chen")] }
        try await run(admin, "CALENDAR SET 2027-01-04 holiday note=调休") { _ in [("calendar.set", "2027-01-04")] }
        try await run(admin, "RETENTION SET TS years=3 trigger=filed") { _ in [("retention.set", "TS")] }

        // Customers.
        let customer = word(try await run(rep, "CUSTOMER NEW name=新华贸易") { [("customer.new", word($0, 1))] }, 1)
        let change = word(try await run(rep, "CUSTOMER SET C-2026-00001 phone=13800000000 reason=更新") {
            [("approval.request", word($0, 1))] }, 1)
        try await run(manager, "APPROVE \(change)") { _ in [("customer.edit", change), ("approval.approve", change)] }
        try await run(manager, "CUSTOMER SET C-2026-00001 grade=A reason=评级") { [("customer.edit", word($0, 1))] }

        // Dossiers: new, items, submission, filing, reads.
        let ref = word(try await run(rep, "DOSSIER NEW customer=C-2026-00001 category=HT title=框架合同") {
            [("dossier.new", word($0, 1))] }, 1)
        try await run(rep, "ITEM ADD \(ref) title=正本 pages=3 medium=paper signed_customer=yes signed_internal=yes") { _ in
            [("item.add", ref)] }
        let filing = word(try await run(rep, "DOSSIER SUBMIT \(ref)") { [("approval.request", word($0, 1))] }, 1)
        let number = "SH-HT-\(year)-0001"
        try await run(manager, "APPROVE \(filing)") { _ in [("dossier.file", number), ("approval.approve", filing)] }
        try await run(rep, "DOSSIER SHOW \(number) purpose=核对") { _ in [("dossier.show", number)] }
        try await run(rep, "DOSSIER SHOW \(ref)") { _ in [("dossier.show", number)] }
        try await run(rep, "ITEM LIST \(number)") { _ in [("item.list", number)] }

        // Edits: rejected, withdrawn, approved.
        let edit = word(try await run(rep, "DOSSIER EDIT \(number) title=新标题 reason=更正") { [("approval.request", word($0, 1))] }, 1)
        try await run(manager, "REJECT \(edit) reason=不需要") { _ in [("approval.reject", edit)] }
        let again = word(try await run(rep, "DOSSIER EDIT \(number) title=新标题 reason=更正") { [("approval.request", word($0, 1))] }, 1)
        try await run(rep, "WITHDRAW \(again)") { _ in [("approval.withdraw", again)] }
        let third = word(try await run(rep, "DOSSIER EDIT \(number) location=A-01 reason=搬柜") { [("approval.request", word($0, 1))] }, 1)
        let dossierID = String(ref.dropFirst())
        try await run(manager, "APPROVE \(third)") { _ in [("dossier.edit", "D\(dossierID)"), ("approval.approve", third)] }
        try await run(manager, "DOSSIER HISTORY \(ref)") { _ in [("dossier.history", number)] }

        // Access and loans.
        let access = word(try await run(colleague, "ACCESS REQUEST \(number) purpose=查阅") { [("approval.request", word($0, 1))] }, 1)
        try await run(manager, "APPROVE \(access)") { _ in [("access.grant", "D\(dossierID)"), ("approval.approve", access)] }
        let loan = word(try await run(rep, "LOAN REQUEST \(number) purpose=借阅 days=2") { final in
            let id = Int64(word(final, 1).dropFirst())!
            let approval = try sql.query("SELECT 'A' || approval_id FROM dossier.loans WHERE id = $1::int8", [id]).rows[0]
                .decode(0, as: String.self)
            return [("approval.request", approval)]
        }, 1)
        let loanApproval = try sql.query("SELECT 'A' || approval_id FROM dossier.loans WHERE id = $1::int8",
                                         [Int64(loan.dropFirst())!]).rows[0].decode(0, as: String.self)
        try await run(manager, "APPROVE \(loanApproval)") { _ in [("approval.approve", loanApproval)] }
        try await run(archivist, "LOAN CHECKOUT \(loan)") { _ in [("loan.checkout", loan)] }
        let extend = word(try await run(rep, "LOAN EXTEND \(loan) days=1 reason=未完") { [("approval.request", word($0, 1))] }, 1)
        try await run(manager, "APPROVE \(extend)") { _ in [("approval.approve", extend)] }
        try await run(archivist, "LOAN RETURN \(loan) complete=yes") { _ in [("loan.return", loan)] }

        // Holds, deletion and restoring, destruction.
        try await run(manager, "HOLD PLACE \(number) reason=诉讼") { _ in [("hold.place", number)] }
        try await run(manager, "HOLD RELEASE \(number) reason=结案") { _ in [("hold.release", number)] }
        let deletion = word(try await run(rep, "DOSSIER DELETE \(number) reason=重复") { [("approval.request", word($0, 1))] }, 1)
        try await run(manager, "APPROVE \(deletion)") { _ in [("dossier.delete", number), ("approval.approve", deletion)] }
        try await run(rep, "DOSSIER RESTORE \(number)") { _ in [("dossier.restore", number)] }
        try sql.query("UPDATE dossier.dossier_retention SET retain_until = current_date - 1 WHERE dossier_id = (SELECT id FROM dossier.dossiers WHERE number = $1::text)", [number])
        let destruction = word(try await run(manager, "DESTROY \(number) reason=期满") { [("approval.request", word($0, 1))] }, 1)
        try await run(director, "APPROVE \(destruction)") { _ in [("dossier.destroy", number), ("approval.approve", destruction)] }

        // Penalties: a manual record, its waiver through a director, a sweep.
        let penalty = word(try await run(manager, "PENALTY RECORD li.na rule=UNAUTHORIZED_VIEW note=未经审批查阅") {
            [("penalty.record", word($0, 1))] }, 1)
        let waiver = word(try await run(manager, "PENALTY WAIVE \(penalty) reason=初犯") { [("approval.request", word($0, 1))] }, 1)
        try await run(director, "APPROVE \(waiver)") { _ in [("penalty.waive", penalty), ("approval.approve", waiver)] }
        try await run(auditor, "PENALTY SWEEP") { _ in [("penalty.sweep", "")] }

        // Closing a customer, a user leaving.
        try await run(rep, "CUSTOMER CLOSE \(customer) date=\(year)-01-31 reason=终止合作") { _ in [("customer.close", customer)] }
        try await run(admin, "USER LEAVE wang.fang successor=li.na") { _ in [("user.leave", "wang.fang")] }

        // A refused command writes nothing (its transaction is rolled back whole).
        let draft = try await company.draft(rep)
        let mark = try log.lastID
        #expect(try await company.client("zhao.lei").request("DOSSIER SHOW \(draft)") == ["ERR NOTFOUND no dossier \(draft)"])
        #expect(try await company.client("zhao.lei").request("DOSSIER NEW customer=C-2026-00001 category=HT title=x").first?
            .hasPrefix("ERR DENIED") == true)
        #expect(try await rep.request("HOLD PLACE \(draft) reason=x").first?.hasPrefix("ERR DENIED") == true)
        #expect(try log.rows(after: mark) == [])

        // Every state-changing verb of this version was run above.
        let stateChanging = ["DEPT ADD", "USER ADD", "USER PASSWD", "USER LEAVE", "CALENDAR SET", "CUSTOMER NEW", "CUSTOMER SET",
                             "CUSTOMER CLOSE", "DOSSIER NEW", "ITEM ADD", "DOSSIER SUBMIT", "DOSSIER EDIT", "DOSSIER DELETE",
                             "DOSSIER RESTORE", "ACCESS REQUEST", "LOAN REQUEST", "LOAN CHECKOUT", "LOAN RETURN", "LOAN EXTEND",
                             "APPROVE", "REJECT", "WITHDRAW", "RETENTION SET", "HOLD PLACE", "HOLD RELEASE", "DESTROY",
                             "PENALTY RECORD", "PENALTY WAIVE", "PENALTY SWEEP",
                             "DOSSIER SHOW", "ITEM LIST", "DOSSIER HISTORY"]
        let ran = Set(covered.map { line in stateChanging.first { line.hasPrefix($0) } ?? line })
        #expect(ran == Set(stateChanging), "not run: \(Set(stateChanging).subtracting(ran))")
        // Written by four pooled connections, in several chains: all of it verifies.
        let total = try sql.query("SELECT count(*)::int8 FROM dossier.audit_log").rows[0].decode(0, as: Int.self)
        #expect(try await company.client("aud").request("AUDIT VERIFY") == ["OK verified \(total)"])
        try await server.shutdown()
    }
}
