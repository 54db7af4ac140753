import Foundation
import Postgres
import Testing
import TestSupport

/// `CUSTOMER SET`: the owner's changes wait for the manager; the manager's and
/// a director's apply at once; every change leaves a history row.
@Suite struct CustomerChangeTests {
    @Test func ownersChangesNeedTheManager() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let answer = try await rep.request("CUSTOMER SET C-2026-00001 phone=13912345678 grade=VIP credit_limit=50000.50 reason=年度复核")
        let approval = try #require(answer.first?.firstMatch(of: /^OK (A\d+) pending$/)?.1, "\(answer)")
        // Nothing changes before the approval.
        #expect(try await rep.request("CUSTOMER SHOW C-2026-00001").first?.contains("grade=\"\"") == true)
        #expect(try await manager.request("APPROVAL LIST kind=customer_edit").first?.contains("target=C-2026-00001") == true)
        #expect(try await manager.request("APPROVE \(approval)") == ["OK \(approval) approved"])
        let shown = try await rep.request("CUSTOMER SHOW C-2026-00001").first ?? ""
        #expect(shown.contains("phone=13912345678"), "\(shown)")
        #expect(shown.contains("grade=VIP"), "\(shown)")
        #expect(shown.contains("credit_limit=50000.50"), "\(shown)")
        let history = try server.database.admin().query("""
            SELECT h.field, coalesce(h.old_value, ''), h.new_value, h.reason, r.login, a.login
              FROM dossier.change_history h JOIN dossier.users r ON r.id = h.requested_by JOIN dossier.users a ON a.id = h.approved_by
             ORDER BY h.field
            """).rows.map { row in try (0..<6).map { try row.decode($0, as: String.self) }.joined(separator: "|") }
        // The phone is sealed in the history table too (issue 16); CUSTOMER HISTORY opens it.
        #expect(history.prefix(2) == ["credit_limit||50000.50|年度复核|li.na|mgr.sh", "grade||VIP|年度复核|li.na|mgr.sh"])
        #expect(history.count == 3 && history[2].hasPrefix("phone||sealed:") && !history[2].contains("13912345678"), "\(history)")
        #expect(try await rep.request("CUSTOMER HISTORY C-2026-00001").contains { $0.contains(#"field=phone old="" new=13912345678"#) })
        try await server.shutdown()
    }

    @Test func managerAndDirectorApplyAtOnceOthersAreRefused() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        #expect(try await company.client("mgr.sh").request("CUSTOMER SET C-2026-00001 region=浦东 reason=核实").first?.hasSuffix(" applied") == true)
        #expect(try await company.client("dir").request("CUSTOMER SET C-2026-00001 name=华信贸易集团 reason=更名").first?.hasSuffix(" applied") == true)
        let shown = try await company.client("li.na").request("CUSTOMER SHOW C-2026-00001").first ?? ""
        #expect(shown.contains("name=华信贸易集团") && shown.contains("region=浦东"), "\(shown)")
        // A colleague sees only the directory entry; another office's manager likewise.
        #expect(try await company.client("wang.fang").request("CUSTOMER SET C-2026-00001 phone=1 reason=x").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await company.client("mgr.bj").request("CUSTOMER SET C-2026-00001 phone=1 reason=x").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await company.client("li.na").request("CUSTOMER SET C-2026-09999 phone=1 reason=x") == ["ERR NOTFOUND no customer C-2026-09999"])
        // Owner moves only within the department, and only to an active user.
        #expect(try await company.client("mgr.sh").request("CUSTOMER SET C-2026-00001 owner=zhao.lei reason=调整").first?.hasPrefix("ERR CONFLICT") == true)
        #expect(try await company.client("mgr.sh").request("CUSTOMER SET C-2026-00001 owner=wang.fang reason=调整").first?.hasSuffix(" applied") == true)
        #expect(try await company.client("wang.fang").request("CUSTOMER SHOW C-2026-00001").first?.contains("owner=wang.fang") == true)
        try await server.shutdown()
    }

    @Test func managersOwnCustomerGoesToADirector() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let manager = try await company.client("mgr.sh")
        #expect(try await manager.request("CUSTOMER SET C-2026-00001 owner=mgr.sh reason=接手").first?.hasSuffix(" applied") == true)
        let answer = try await manager.request("CUSTOMER SET C-2026-00001 phone=021-1234 reason=更新")
        let approval = try #require(answer.first?.firstMatch(of: /^OK (A\d+) pending$/)?.1, "\(answer)")
        #expect(try await manager.request("APPROVE \(approval)") == ["ERR DENIED nobody approves their own request"])
        #expect(try await company.client("dir").request("APPROVE \(approval)") == ["OK \(approval) approved"])
        try await server.shutdown()
    }
}

@Suite struct CustomerClosingTests {
    @Test func closingStartsRetentionOfProfileAndCreditDossiers() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        var refs: [String: String] = [:]
        for category in ["KH", "HT"] {
            let answer = try await rep.request("DOSSIER NEW customer=C-2026-00001 category=\(category) title=档案")
            let ref = String(try #require(answer.first?.split(separator: " ").last))
            _ = try await rep.request("ITEM ADD \(ref) title=正本")
            let approval = try await company.submit(rep, ref)
            #expect(try await manager.request("APPROVE \(approval)").first?.hasPrefix("OK \(approval) approved number=") == true)
            refs[category] = ref
        }
        // KH counts from closing: nothing yet; HT counts from filing.
        #expect(try await rep.request("DOSSIER SHOW \(refs["KH"]!)").first?.contains("retain_until=\"\"") == true)
        #expect(try await rep.request("DOSSIER SHOW \(refs["HT"]!)").first?.contains("retain_until=\(company.year + 5)-") == true)
        #expect(try await company.client("wang.fang").request("CUSTOMER CLOSE C-2026-00001 date=2026-06-30 reason=x").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await rep.request("CUSTOMER CLOSE C-2026-00001 date=2026-06-30 reason=终止合作") == ["OK"])
        #expect(try await rep.request("DOSSIER SHOW \(refs["KH"]!)").first?.contains("retain_until=2031-06-30") == true)
        #expect(try await rep.request("DOSSIER SHOW \(refs["HT"]!)").first?.contains("retain_until=\(company.year + 5)-") == true)
        #expect(try await rep.request("CUSTOMER CLOSE C-2026-00001 date=2026-07-01 reason=again") == ["ERR CONFLICT C-2026-00001 is closed already"])
        try await server.shutdown()
    }
}
