import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 11, point 2: `TODO` lists what waits for the caller, most urgent
/// first, each row naming the verb that resolves it — for every role.
@Suite struct TodoTests {
    @Test func eachRoleSeesItsOwnWorkMostUrgentFirst() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let archivist = try await company.client("arc.sh")
        let borrower = try await company.client("zhao.lei")

        // Nothing yet: an empty list, for every role.
        for login in ["li.na", "mgr.sh", "arc.sh", "dir", "aud"] {
            #expect(try await company.client(login).request("TODO") == ["OK 0"], "\(login)")
        }
        #expect(try await server.admin().request("TODO") == ["OK 0"])

        // The rep: a fresh draft (deadline in three working days), an old one
        // (LATE_FILING running), a customer due for its monthly refresh.
        let fresh = try await company.draft(rep)
        let old = try await company.draft(rep)
        try Self.overdue(draft: old, andCustomerOn: sql)
        let repList = try await rep.request("TODO")
        #expect(repList.last == "OK 3", "\(repList)")
        // Overdue first, by deadline: the old draft's (about 15 days ago) before the customer's (10 days ago).
        #expect(repList[0].hasPrefix("* urgency=overdue ") && repList[0].contains("what=draft target=\(old)"), "\(repList)")
        #expect(repList[1].hasPrefix("* urgency=overdue ") && repList[1].contains("what=customer target=C-2026-00001"), "\(repList)")
        #expect(repList[2].hasPrefix("* urgency=soon ") && repList[2].contains("what=draft target=\(fresh)"), "\(repList)")
        #expect(repList[2].contains("(LATE_FILING)") && repList[2].hasSuffix("verb=\"DOSSIER SUBMIT \(fresh)\""), "\(repList)")
        #expect(repList.contains { $0.contains("what=customer target=C-2026-00001") && $0.hasSuffix("verb=\"CUSTOMER CONFIRM C-2026-00001\"") })
        let dues = repList.dropLast().compactMap { dataValue("due", $0) }
        #expect(dues.count == 3 && dues[0] < dues[1] && dues[1] < dues[2], "\(dues)")

        // The manager: the filing to decide.
        let filing = try await company.submit(rep, fresh)
        let managerList = try await manager.request("TODO")
        #expect(managerList.count == 2, "\(managerList)")
        #expect(managerList[0].hasPrefix("* urgency=waiting ") && managerList[0].contains("what=approval target=\(filing)"), "\(managerList)")
        #expect(managerList[0].contains("detail=\"file \(fresh) by li.na\"") && managerList[0].hasSuffix("verb=\"APPROVE \(filing)\""), "\(managerList)")
        let filed = try await manager.request("APPROVE \(filing)")
        let number = String(try #require(filed.first?.firstMatch(of: /number=(\S+)/)?.1))
        #expect(try await manager.request("TODO") == ["OK 0"])
        #expect(try await rep.request("TODO").last == "OK 2")

        // The archivist: a loan to hand out, then one due back.
        let loan = try company.pendingID(try await borrower.request("LOAN REQUEST \(number) purpose=核对 days=1"))
        _ = try await manager.request("APPROVE \(try #require(try await manager.request("APPROVAL LIST").first?.firstMatch(of: /id=(A\d+)/)?.1))")
        let handOut = try await archivist.request("TODO")
        #expect(handOut.count == 2 && handOut[0].contains("urgency=waiting") && handOut[0].hasSuffix("verb=\"LOAN CHECKOUT \(loan)\""), "\(handOut)")
        _ = try await archivist.request("LOAN CHECKOUT \(loan)")
        // Due within 24 hours: today, for borrower and archivist alike.
        #expect(try await archivist.request("TODO").first?.hasPrefix("* urgency=today ") == true)
        let borrowed = try await borrower.request("TODO")
        #expect(borrowed.count == 2 && borrowed[0].hasPrefix("* urgency=today ") && borrowed[0].hasSuffix("verb=\"LOAN EXTEND \(loan)\""), "\(borrowed)")
        try sql.query("UPDATE dossier.loans SET due_at = now() - interval '1 hour'")
        #expect(try await archivist.request("TODO").first?.hasPrefix("* urgency=overdue ") == true)
        #expect(try await archivist.request("TODO").first?.hasSuffix("verb=\"LOAN RETURN \(loan)\"") == true)
        #expect(try await borrower.request("TODO").first?.hasPrefix("* urgency=overdue ") == true)

        // A colleague's read access that ends within the day.
        let colleague = try await company.client("wang.fang")
        let access = try company.pendingID(try await colleague.request("ACCESS REQUEST \(number) purpose=核对 hours=2"))
        #expect(try await manager.request("TODO").first?.hasSuffix("verb=\"APPROVE \(access)\"") == true)
        _ = try await manager.request("APPROVE \(access)")
        let grant = try await colleague.request("TODO")
        #expect(grant.count == 2 && grant[0].contains("urgency=today") && grant[0].contains("what=grant target=\(number)"), "\(grant)")
        #expect(grant[0].hasSuffix("verb=\"ACCESS REQUEST \(number)\""), "\(grant)")

        // A director decides what waits for a director.
        let secret = try await company.draft(rep, extra: "level=top_secret")
        let secretFiling = try await company.submit(rep, secret)
        #expect(try await company.client("dir").request("TODO").first?.hasSuffix("verb=\"APPROVE \(secretFiling)\"") == true)
        #expect(try await company.client("aud").request("TODO") == ["OK 0"])
        try await server.shutdown()
    }

    /// `detail` is a sentence for the caller: it follows the session's `LANG`,
    /// with what stands in a request's way translated inside it, while codes,
    /// references, verbs and a person's own words (a reason) stay as they are.
    /// APPROVAL LIST's `obstacle` likewise.
    @Test func detailsFollowTheSessionLanguage() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        // The rep: a draft past its deadline, a customer due for its refresh, a
        // deletion that waits while the dossier is out on loan.
        let old = try await company.draft(rep)
        try Self.overdue(draft: old, andCustomerOn: sql)
        let filing = try await company.submit(rep, try await company.draft(rep))
        let number = String(try #require(try await manager.request("APPROVE \(filing)").first?.firstMatch(of: /number=(\S+)/)?.1))
        let deletion = try company.pendingID(try await rep.request("DOSSIER DELETE \(number) reason=重复建档"))
        let borrower = try await company.client("zhao.lei")
        let loan = try company.pendingID(try await borrower.request("LOAN REQUEST \(number) purpose=核对 days=1"))
        let loanApproval = try #require(try await manager.request("APPROVAL LIST kind=loan").first?.firstMatch(of: /id=(A\d+)/)?.1)
        #expect(try await manager.request("APPROVE \(loanApproval)") == ["OK \(loanApproval) approved"])
        #expect(try await company.client("arc.sh").request("LOAN CHECKOUT \(loan)").first?.hasPrefix("OK") == true)

        let englishRep = try await rep.request("TODO")
        let englishManager = try await manager.request("TODO")
        #expect(englishManager.contains { $0.contains("detail=\"delete \(number) by li.na: 重复建档 (cannot be done now: \(number) is on_loan)\"") },
                "\(englishManager)")
        #expect(englishRep.contains { $0.contains("detail=\"delete: cannot be done now: \(number) is on_loan\"") }, "\(englishRep)")

        let chineseRep = try await company.client("li.na")
        let chineseManager = try await company.client("mgr.sh")
        for client in [chineseRep, chineseManager] { #expect(try await client.request("LANG zh-CN") == ["OK"]) }
        let repList = try await chineseRep.request("TODO")
        let managerList = try await chineseManager.request("TODO")
        #expect(managerList.contains { $0.contains("detail=\"li.na 提交的删除申请：\(number)，事由：重复建档（目前无法执行：\(number) 的状态是 on_loan）\"") },
                "\(managerList)")
        #expect(repList.contains { $0.contains("detail=\"删除申请目前无法执行：\(number) 的状态是 on_loan\"") }, "\(repList)")
        #expect(repList.contains { $0.contains("what=draft target=\(old)") && $0.contains("（逾期记 LATE_FILING）") }, "\(repList)")
        #expect(repList.contains { $0.contains("what=customer") && $0.contains("请做每月资料确认（逾期记 STALE_CUSTOMER）") }, "\(repList)")
        // Only `detail` differs, row by row, and no English sentence is left in it.
        for (english, chinese) in zip(englishRep + englishManager, repList + managerList) {
            let withoutDetail = { (line: String) in line.replacing(#/ detail="[^"]*"/#, with: "") }
            #expect(withoutDetail(english) == withoutDetail(chinese), "\(english) | \(chinese)")
        }
        #expect(repList.count == englishRep.count && managerList.count == englishManager.count)
        let details = (repList + managerList).compactMap { $0.firstMatch(of: /detail="([^"]*)"/).map { String($0.1) } }
        #expect(details.count == repList.count + managerList.count - 2)
        #expect(!details.contains { $0.firstMatch(of: /[a-z]{2,} [a-z]{2,} [a-z]{2,}/) != nil }, "\(details)")

        // The request as APPROVAL LIST shows it to the manager.
        let pending = try await chineseManager.request("APPROVAL LIST")
        #expect(pending.contains { $0.contains("id=\(deletion)") && $0.contains("obstacle=\"\(number) 的状态是 on_loan\"") }, "\(pending)")
        try await server.shutdown()
    }

    /// `draft` 20 days old (its LATE_FILING deadline passed) and customer
    /// C-2026-00001 last refreshed 40 days ago: both overdue on the caller's list.
    static func overdue(draft: String, andCustomerOn sql: PostgresConnection) throws {
        try sql.query("UPDATE dossier.dossiers SET created_at = now() - interval '20 days' WHERE id = $1::int8", [Int64(draft.dropFirst())!])
        try sql.query("UPDATE dossier.customers SET updated_at = now() - interval '40 days' WHERE number = 'C-2026-00001'")
    }
}
