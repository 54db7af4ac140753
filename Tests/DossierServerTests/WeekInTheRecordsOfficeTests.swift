import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 11, point 9: a working week in the Shanghai records office, told as
/// the people in it live it, over the protocol. The clock does not move in a
/// test; where a day passes, the test moves the one time it concerns (a due
/// time, a creation time, a retention date) in the database.
@Suite struct WeekInTheRecordsOfficeTests {
    @Test func aWeekInTheRecordsOffice() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let liNa = try await company.client("li.na")          // sales rep, Shanghai
        let wangFang = try await company.client("wang.fang")  // sales rep, Shanghai
        let zhaoLei = try await company.client("zhao.lei")    // sales rep, Beijing
        let manager = try await company.client("mgr.sh")      // manager, Shanghai
        let clerk = try await company.client("arc.sh")        // records clerk, Shanghai
        let director = try await company.client("dir")
        let auditor = try await company.client("aud")
        func approvalWaitingFor(_ client: LineClient, kind: String) async throws -> String {
            String(try #require(try await client.request("APPROVAL LIST kind=\(kind)").first?.firstMatch(of: /id=(A\d+)/)?.1))
        }

        // Monday morning. Li Na opens her to-do list: nothing yet. She files the
        // framework contract of 华信贸易; one copy lacks the customer's signature.
        #expect(try await liNa.request("TODO") == ["OK 0"])
        let contract = try await company.draft(liNa)
        #expect(try await liNa.request("ITEM ADD \(contract) title=补充协议 pages=3 signed_customer=no signed_internal=yes") == ["OK 2"])
        let todo = try await liNa.request("TODO")
        #expect(todo.count == 2 && todo[0].contains("what=draft target=\(contract)") && todo[0].hasSuffix("verb=\"DOSSIER SUBMIT \(contract)\""), "\(todo)")
        let filing = try await company.submit(liNa, contract)

        // The manager decides from what the request shows: title, items, one unsigned.
        #expect(try await manager.request("TODO").first?.hasSuffix("verb=\"APPROVE \(filing)\"") == true)
        #expect(Company.detailRows(try await manager.request("APPROVAL SHOW \(filing)")) == [
            "* field=title old=\"\" new=\"2026 年度框架合同\"",
            "* field=items old=\"\" new=2",
            "* field=unsigned_items old=\"\" new=1",
        ])
        let number = "SH-HT-\(company.year)-0001"
        #expect(try await manager.request("APPROVE \(filing) comment=齐全") == ["OK \(filing) approved number=\(number)"])
        // Filing charged the missing signature (20.00).
        #expect(try await liNa.request("PENALTY LIST").first?.contains("rule=MISSING_CUSTOMER_SIGNATURE ref=\(number)") == true)

        // Monday afternoon. The customer renamed the project: Li Na asks for a
        // new title; the manager sees the old one and the new one.
        let edit = try company.pendingID(try await liNa.request("DOSSIER EDIT \(number) title=\"2026 年度框架合同（修订）\" reason=客户更名"))
        #expect(Company.detailRows(try await manager.request("APPROVAL SHOW \(edit)")) == [
            "* field=title old=\"2026 年度框架合同\" new=\"2026 年度框架合同（修订）\"",
        ])
        #expect(try await manager.request("APPROVE \(edit)") == ["OK \(edit) approved"])
        #expect(try await liNa.request("DOSSIER HISTORY \(number)").first?.contains("field=title old=\"2026 年度框架合同\"") == true)

        // Tuesday. Zhao Lei in Beijing borrows the paper file for three days.
        let loan = try company.pendingID(try await zhaoLei.request("LOAN REQUEST \(number) purpose=核对条款 days=3"))
        let loanApproval = try await approvalWaitingFor(manager, kind: "loan")
        #expect(try await manager.request("APPROVAL LIST kind=loan").first?.contains("details=\"mode: takeout; days: 3; purpose: 核对条款\"") == true)
        #expect(try await manager.request("APPROVE \(loanApproval)") == ["OK \(loanApproval) approved"])
        #expect(try await clerk.request("TODO").first?.hasSuffix("verb=\"LOAN CHECKOUT \(loan)\"") == true)
        #expect(try await clerk.request("LOAN CHECKOUT \(loan)").first?.hasPrefix("OK \(loan) due=") == true)

        // Wednesday. The audit takes longer: one extension, not two at once.
        let extend = try company.pendingID(try await zhaoLei.request("LOAN EXTEND \(loan) days=2 reason=审计未完"))
        #expect(try await zhaoLei.request("LOAN EXTEND \(loan) days=7 reason=再延") == ["ERR CONFLICT \(loan) already has a pending extension \(extend)"])
        #expect(Company.detailRows(try await manager.request("APPROVAL SHOW \(extend)")).first == "* field=days old=\"\" new=2")
        #expect(try await manager.request("APPROVE \(extend)") == ["OK \(extend) approved"])

        // Thursday. Li Na's monthly refresh of 华信贸易: nothing changed, she confirms.
        try sql.query("UPDATE dossier.customers SET updated_at = now() - interval '29 days' WHERE number = 'C-2026-00001'")
        #expect(try await liNa.request("TODO").first?.hasSuffix("verb=\"CUSTOMER CONFIRM C-2026-00001\"") == true)
        #expect(try await liNa.request("CUSTOMER CONFIRM C-2026-00001 note=电话核实无变化").first?.hasPrefix("OK C-2026-00001 refresh_by=") == true)
        #expect(try await liNa.request("TODO") == ["OK 0"])

        // Friday. The file comes back with a page missing: the clerk's answer says what it cost.
        #expect(try await clerk.request("LOAN RETURN \(loan) complete=no note=缺第3页") == ["OK \(loan) penalty=P2 amount=20.00"])

        // Wang Fang asks to read the contract; Li Na asks to delete it as a
        // duplicate — and then the legal department asks for a hold on it.
        let access = try company.pendingID(try await wangFang.request("ACCESS REQUEST \(number) purpose=对照报价 hours=8"))
        #expect(Company.detailRows(try await manager.request("APPROVAL SHOW \(access)")) == [
            "* field=hours old=\"\" new=8", "* field=purpose old=\"\" new=对照报价",
        ])
        let deletion = try company.pendingID(try await liNa.request("DOSSIER DELETE \(number) reason=重复建档"))
        #expect(try await manager.request("HOLD PLACE \(number) reason=合同纠纷") == ["OK"])
        #expect(try await manager.request("APPROVE \(deletion)") == ["ERR CONFLICT \(deletion) was closed: \(number) is on legal hold"])
        #expect(try await liNa.request("APPROVAL SHOW \(deletion)").first?.contains("status=cancelled") == true)
        #expect(try await manager.request("APPROVE \(access)") == ["OK \(access) approved"])

        // An old complaint file is past its retention: destroyed, and the register says what it was.
        let complaint = try await company.filedNumber(liNa)
        try sql.query("""
            UPDATE dossier.dossier_retention SET retain_until = current_date - 1
             WHERE dossier_id = (SELECT id FROM dossier.dossiers WHERE number = $1::text)
            """, [complaint])
        let destroy = try company.pendingID(try await clerk.request("DESTROY \(complaint) reason=保管期满 method=shred"))
        #expect(Company.detailRows(try await manager.request("APPROVAL SHOW \(destroy)")).first == "* field=method old=\"\" new=shred")
        #expect(try await manager.request("APPROVE \(destroy)") == ["OK \(destroy) approved"])
        let register = try await auditor.request("DESTRUCTION LIST")
        #expect(register.first?.hasSuffix("title=\"2026 年度框架合同\" customer=C-2026-00001 customer_name=华信贸易 items=1") == true, "\(register)")

        // The penalty department checks the week before the nightly sweep: nothing is charged twice.
        let preview = try await auditor.request("PENALTY SWEEP dry_run=yes")
        let wouldCharge = try #require(preview.last?.firstMatch(of: /^OK \d+ charged=(\d+) amount=/)?.1, "\(preview)")
        #expect(try await auditor.request("PENALTY SWEEP") == ["OK \(wouldCharge)"])

        // Wang Fang leaves with a loan request still pending: it is closed with the reason.
        let lastLoan = try company.pendingID(try await wangFang.request("LOAN REQUEST \(number) purpose=交接前核对 days=1"))
        let lastApproval = try await approvalWaitingFor(manager, kind: "loan")
        #expect(try await server.admin().request("USER LEAVE wang.fang successor=li.na") == ["OK 0 0 handover=H1"])
        #expect(try await manager.request("APPROVE \(lastApproval)") == ["ERR CONFLICT \(lastApproval) was closed: wang.fang has left"])
        #expect(try await manager.request("LOAN SHOW \(lastLoan)").first?.contains("status=cancelled") == true)
        #expect(try await director.request("TODO") == ["OK 0"])
        try await server.shutdown()
    }
}
