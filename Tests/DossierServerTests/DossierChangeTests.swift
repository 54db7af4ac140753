import Foundation
import Postgres
import Testing
import TestSupport

/// Approved edits with history, deletion with grace, access grants, handover.
@Suite struct DossierChangeTests {
    /// A filed dossier of li.na in SH; returns (reference, archive number).
    func filed(_ company: Company, extra: String = "") async throws -> (String, String) {
        let rep = try await company.client("li.na")
        let ref = try await company.draft(rep, extra: extra)
        let approval = try await company.submit(rep, ref)
        let approver = extra.contains("top_secret") || extra.contains("company") ? "dir" : "mgr.sh"
        #expect(try await company.client(approver).request("APPROVE \(approval)").first?.hasPrefix("OK \(approval) approved number=") == true)
        let shown = try await rep.request("DOSSIER SHOW \(ref)")
        let number = try #require(shown.first?.firstMatch(of: /number=(\S+)/)?.1)
        return (ref, String(number))
    }

    @Test func approvedEditsKeepAFullHistory() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let (ref, number) = try await filed(company)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        #expect(try await rep.request("DOSSIER EDIT \(ref) title=新标题").first?.hasPrefix("ERR ARGS") == true)  // reason required
        let answer = try await rep.request("DOSSIER EDIT \(number) title=\"2026 年度框架合同（修订）\" level=secret reason=合同修订")
        let approval = try #require(answer.first?.firstMatch(of: /^OK (A\d+) pending$/)?.1, "\(answer)")
        // Nothing changes before the approval.
        #expect(try await rep.request("DOSSIER SHOW \(ref)").first?.contains("level=internal") == true)
        #expect(try await rep.request("DOSSIER HISTORY \(ref)") == ["OK 0"])
        #expect(try await manager.request("APPROVE \(approval)") == ["OK \(approval) approved"])
        let shown = try await rep.request("DOSSIER SHOW \(ref)")
        #expect(shown.first?.contains("title=\"2026 年度框架合同（修订）\" level=secret") == true, "\(shown)")
        let history = try await rep.request("DOSSIER HISTORY \(ref)")
        #expect(history.count == 3)
        #expect(history.contains { $0.contains("field=title old=\"2026 年度框架合同\" new=\"2026 年度框架合同（修订）\" reason=合同修订 by=li.na approved_by=mgr.sh") })
        #expect(history.contains { $0.contains("field=level old=internal new=secret reason=合同修订 by=li.na approved_by=mgr.sh") })
        // Now secret: the register no longer shows the title to others.
        let colleague = try await company.client("wang.fang")
        #expect(try await colleague.request("DOSSIER LIST").first?.contains("title=\"\"") == true)
        // Drafts are not edited through approval.
        let draft = try await company.draft(rep)
        #expect(try await rep.request("DOSSIER EDIT \(draft) title=x reason=y").first?.hasPrefix("ERR CONFLICT") == true)
        try await server.shutdown()
    }

    @Test func deletionWaitsForApprovalAndCanBeRestoredWithinGrace() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let (ref, number) = try await filed(company)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let answer = try await rep.request("DOSSIER DELETE \(number) reason=重复建档")
        let approval = try #require(answer.first?.firstMatch(of: /^OK (A\d+) pending$/)?.1, "\(answer)")
        #expect(try await rep.request("DOSSIER DELETE \(number) reason=again") == ["ERR CONFLICT \(number) already has a pending deletion"])
        #expect(try await rep.request("DOSSIER RESTORE \(ref)") == ["ERR CONFLICT \(number) is filed; cannot restore"])
        #expect(try await manager.request("APPROVE \(approval)") == ["OK \(approval) approved"])
        #expect(try await rep.request("DOSSIER SHOW \(ref)").first?.contains("status=deleted") == true)
        // Deleted dossiers leave the company-wide register.
        #expect(try await company.client("zhao.lei").request("DOSSIER SHOW \(number)") == ["ERR NOTFOUND no dossier \(number)"])
        #expect(try await rep.request("DOSSIER RESTORE \(ref)") == ["OK"])
        #expect(try await rep.request("DOSSIER SHOW \(ref)").first?.contains("status=filed") == true)

        // After the grace period it can no longer be restored.
        _ = try await manager.request("APPROVE \(try #require(try await rep.request("DOSSIER DELETE \(ref) reason=x").first?.firstMatch(of: /(A\d+)/)?.1))")
        try server.database.admin().query("UPDATE dossier.dossiers SET purge_after = now() - interval '1 minute' WHERE number = $1::text", [number])
        #expect(try await rep.request("DOSSIER RESTORE \(ref)") == ["ERR CONFLICT \(number): the 30 days grace period is over"])
        try await server.shutdown()
    }

    @Test func legalHoldBlocksDeletion() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let (_, number) = try await filed(company)
        try server.database.admin().query("""
            INSERT INTO dossier.legal_holds (dossier_id, dept_id, reason, placed_by)
            SELECT d.id, d.dept_id, '诉讼', u.id FROM dossier.dossiers d, dossier.users u WHERE d.number = $1::text AND u.login = 'mgr.sh'
            """, [number])
        #expect(try await company.client("li.na").request("DOSSIER DELETE \(number) reason=x") == ["ERR CONFLICT \(number) is on legal hold"])
        try await server.shutdown()
    }

    @Test func departmentScopeAccessNeedsManagerThenDirectorAndExpires() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let (_, number) = try await filed(company, extra: "scope=department")
        let outsider = try await company.client("zhao.lei")
        #expect(try await outsider.request("DOSSIER SHOW \(number)").first?.hasPrefix("ERR DENIED") == true)
        let answer = try await outsider.request("ACCESS REQUEST \(number) purpose=核对合同金额 hours=2")
        let approval = try #require(answer.first?.firstMatch(of: /^OK (A\d+) pending$/)?.1, "\(answer)")
        #expect(try await company.client("dir").request("APPROVE \(approval)") == ["ERR DENIED \(approval) waits for a manager, step 1"])
        #expect(try await company.client("mgr.sh").request("APPROVE \(approval)") == ["OK \(approval) next=director"])
        #expect(try await outsider.request("DOSSIER SHOW \(number)").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await company.client("dir").request("APPROVE \(approval)") == ["OK \(approval) approved"])
        #expect(try await outsider.request("DOSSIER SHOW \(number) purpose=核对").last == "OK 1")
        #expect(try await outsider.request("ACCESS REQUEST \(number) purpose=again") == ["ERR CONFLICT you can read \(number) already"])
        // The grant ends by itself: a condition on time, no job needed.
        try server.database.admin().query("UPDATE dossier.access_grants SET starts_at = now() - interval '3 hours', expires_at = now() - interval '1 second'")
        #expect(try await outsider.request("DOSSIER SHOW \(number)").first?.hasPrefix("ERR DENIED") == true)
        try await server.shutdown()
    }

    @Test func handoverMovesEverythingAndRefusesWithALoanOut() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let (_, number) = try await filed(company)
        let rep = try await company.client("li.na")
        _ = try await company.draft(rep)
        let admin = try await server.admin()
        #expect(try await admin.request("USER LEAVE li.na successor=zhao.lei") == ["ERR CONFLICT the successor must work in the leaver's department"])
        #expect(try await admin.request("USER LEAVE nobody successor=wang.fang") == ["ERR NOTFOUND no active user nobody"])

        let sql = try server.database.admin()
        defer { sql.close() }
        try sql.query("""
            INSERT INTO dossier.loans (dossier_id, dept_id, borrower_id, purpose, mode, requested_duration, status, checked_out_at, due_at)
            SELECT d.id, d.dept_id, u.id, '查阅', 'takeout', interval '7 days', 'out', now(), now() + interval '7 days'
              FROM dossier.dossiers d, dossier.users u WHERE d.number = $1::text AND u.login = 'li.na'
            """, [number])
        #expect(try await admin.request("USER LEAVE li.na successor=wang.fang") == ["ERR CONFLICT li.na holds 1 loan(s) not returned"])
        try sql.query("UPDATE dossier.loans SET status = 'returned', returned_at = now(), return_complete = true")

        #expect(try await admin.request("USER LEAVE li.na successor=wang.fang") == ["OK 1 2 handover=H1"])
        #expect(try await company.server.client().request("AUTH li.na \(Company.password)") == ["ERR AUTH invalid credentials"])
        let successor = try await company.client("wang.fang")
        #expect(try await successor.request("DOSSIER SHOW \(number)").first?.contains("owner=wang.fang") == true)
        let items = try sql.query("SELECT object_kind, reference FROM dossier.handover_items ORDER BY object_kind, reference").rows
            .map { "\(try $0.decode(0, as: String.self)):\(try $0.decode(1, as: String.self))" }
        #expect(items.count == 3 && items.contains("customer:C-2026-00001") && items.contains("dossier:\(number)"))
        try await server.shutdown()
    }
}
