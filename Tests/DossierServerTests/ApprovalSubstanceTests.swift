import Foundation
import Postgres
import Testing
import TestSupport

extension Company {
    /// A draft of `rep`'s, submitted and filed by the approver its level needs;
    /// returns its archive number (from the APPROVE answer).
    func filedNumber(_ rep: LineClient, extra: String = "") async throws -> String {
        let ref = try await draft(rep, extra: extra)
        let approval = try await submit(rep, ref)
        let approver = extra.contains("top_secret") ? "dir" : "mgr.sh"
        let answer = try await client(approver).request("APPROVE \(approval)")
        return String(try #require(answer.first?.firstMatch(of: /^OK A\d+ approved number=(\S+)$/)?.1, "\(answer)"))
    }

    /// The id of `OK <id> pending` (approvals and loans).
    func pendingID(_ answer: [String]) throws -> String {
        String(try #require(answer.first?.firstMatch(of: /^OK ([AL]\d+) pending$/)?.1, "\(answer)"))
    }

    /// The data lines of an answer that carry `field=` (APPROVAL SHOW's detail rows).
    static func detailRows(_ answer: [String]) -> [String] { answer.filter { $0.hasPrefix("* field=") } }
}

/// Issue 11, point 1: a decider sees what a request would do (reason and
/// details) in `APPROVAL SHOW` and `APPROVAL LIST`; a request that can no
/// longer be carried out is closed with its reason, or says what stands in its way.
@Suite struct ApprovalSubstanceTests {
    @Test func editsShowEachFieldWithItsOldAndNewValue() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let number = try await company.filedNumber(rep)

        let edit = try company.pendingID(try await rep.request("DOSSIER EDIT \(number) title=新标题 location=B-01 reason=客户更名"))
        let shown = try await manager.request("APPROVAL SHOW \(edit)")
        #expect(shown.first?.contains("kind=edit target=\(number) requester=li.na status=pending step=1/1 waiting_for=manager:SH") == true, "\(shown)")
        #expect(shown.first?.contains(" reason=客户更名 details=\"location: B-01; title: 2026 年度框架合同 → 新标题\" obstacle=\"\"") == true, "\(shown)")
        #expect(Company.detailRows(shown) == [
            "* field=location old=\"\" new=B-01",
            "* field=title old=\"2026 年度框架合同\" new=新标题",
        ])
        // The listing carries the same substance, one row per request.
        let listed = try await manager.request("APPROVAL LIST kind=edit")
        #expect(listed.count == 2 && listed[0].contains("reason=客户更名 details=\"location: B-01; title: 2026 年度框架合同 → 新标题\""), "\(listed)")

        // Once applied, the old values are those the change record kept.
        #expect(try await manager.request("APPROVE \(edit)") == ["OK \(edit) approved"])
        #expect(Company.detailRows(try await rep.request("APPROVAL SHOW \(edit)")) == [
            "* field=location old=\"\" new=B-01",
            "* field=title old=\"2026 年度框架合同\" new=新标题",
        ])

        // A customer edit: the owner's request, decided by the manager.
        try server.database.admin().query("UPDATE dossier.customer_details SET grade = 'B'")
        #expect(try await manager.request("CUSTOMER SET C-2026-00001 phone=13800000000 reason=登记电话").first?.hasSuffix(" applied") == true)
        let change = try company.pendingID(try await rep.request("CUSTOMER SET C-2026-00001 phone=13900000000 grade=A reason=客户更换电话"))
        let customerEdit = try await manager.request("APPROVAL SHOW \(change)")
        #expect(customerEdit.first?.contains("kind=customer_edit target=C-2026-00001") == true)
        #expect(customerEdit.first?.contains("reason=客户更换电话") == true)
        #expect(Company.detailRows(customerEdit) == [
            "* field=grade old=B new=A",
            "* field=phone old=13800000000 new=13900000000",
        ])

        // A top-secret dossier's edit goes to a director, who sees what it
        // would write; its manager does not even see the request (issue 10).
        let secret = try await company.filedNumber(rep, extra: "level=top_secret")
        let hidden = try company.pendingID(try await rep.request("DOSSIER EDIT \(secret) title=机密标题 reason=更正"))
        #expect(try await manager.request("APPROVAL SHOW \(hidden)") == ["ERR NOTFOUND no approval \(hidden)"])
        #expect(Company.detailRows(try await company.client("dir").request("APPROVAL SHOW \(hidden)")) == [
            "* field=title old=\"2026 年度框架合同\" new=机密标题",
        ])
        try await server.shutdown()
    }

    @Test func loansExtensionsAccessDestructionAndWaiversShowWhatTheyAskFor() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let archivist = try await company.client("arc.sh")
        let number = try await company.filedNumber(rep)

        // A loan: mode, period, purpose.
        let borrower = try await company.client("zhao.lei")
        let loan = try company.pendingID(try await borrower.request("LOAN REQUEST \(number) purpose=核对合同 days=3"))
        let loanApproval = try #require(try await manager.request("APPROVAL LIST kind=loan").first?.firstMatch(of: /id=(A\d+)/)?.1)
        let loanShown = try await manager.request("APPROVAL SHOW \(loanApproval)")
        #expect(loanShown.first?.contains("target=\(loan)") == true && loanShown.first?.contains("reason=核对合同") == true)
        #expect(Company.detailRows(loanShown) == [
            "* field=mode old=\"\" new=takeout",
            "* field=days old=\"\" new=3",
            "* field=purpose old=\"\" new=核对合同",
        ])
        _ = try await manager.request("APPROVE \(loanApproval)")
        _ = try await archivist.request("LOAN CHECKOUT \(loan)")

        // An extension: the period and the due time it moves.
        let extend = try company.pendingID(try await borrower.request("LOAN EXTEND \(loan) days=2 reason=审计未完"))
        let due = try server.database.admin().query("""
            SELECT dossier.wire_time(due_at) AS due,
                   dossier.wire_time((due_at + interval '2 days')) AS later
              FROM dossier.loans
            """).rows[0]
        #expect(Company.detailRows(try await manager.request("APPROVAL SHOW \(extend)")) == [
            "* field=days old=\"\" new=2",
            "* field=due old=\(try due.decode("due", as: String.self)) new=\(try due.decode("later", as: String.self))",
            "* field=mode old=\"\" new=takeout",
        ])

        // Access: hours and purpose.
        let colleague = try await company.client("wang.fang")
        let access = try company.pendingID(try await colleague.request("ACCESS REQUEST \(number) purpose=核对报价 hours=8"))
        #expect(Company.detailRows(try await manager.request("APPROVAL SHOW \(access)")) == [
            "* field=hours old=\"\" new=8",
            "* field=purpose old=\"\" new=核对报价",
        ])
        #expect(try await colleague.request("APPROVAL LIST status=mine").first?.contains("details=\"hours: 8; purpose: 核对报价\"") == true)

        // A waiver: the penalty as charged.
        #expect(try await manager.request("PENALTY RECORD li.na rule=UNAUTHORIZED_VIEW note=越权查看") == ["OK P1 amount=50.00"])
        let waive = try company.pendingID(try await rep.request("PENALTY WAIVE P1 reason=误记"))
        let waiveShown = try await company.client("dir").request("APPROVAL SHOW \(waive)")
        #expect(waiveShown.first?.contains("kind=waive target=P1") == true && waiveShown.first?.contains("reason=误记") == true)
        #expect(Company.detailRows(waiveShown).map { $0.replacing(/occurred old="" new=\S+/, with: "occurred") } == [
            "* field=penalty old=\"\" new=P1",
            "* field=user old=\"\" new=li.na",
            "* field=rule old=\"\" new=UNAUTHORIZED_VIEW",
            "* field=occurred",
            "* field=amount old=\"\" new=50.00",
        ])

        // Destruction: the method and the retention that ran out.
        let other = try await company.filedNumber(rep)
        try server.database.admin().query("""
            UPDATE dossier.dossier_retention SET retain_until = DATE '2020-01-31'
             WHERE dossier_id = (SELECT id FROM dossier.dossiers WHERE number = $1::text)
            """, [other])
        let destroy = try company.pendingID(try await archivist.request("DESTROY \(other) reason=保管期满 method=erase"))
        #expect(Company.detailRows(try await manager.request("APPROVAL SHOW \(destroy)")) == [
            "* field=method old=\"\" new=erase",
            "* field=retain_until old=\"\" new=2020-01-31",
        ])
        try await server.shutdown()
    }

    /// Issue 17: the listing pages like DOSSIER LIST (`limit=`, `next=A<id>`, `after=`).
    @Test func approvalListPagesByKeyset() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        var approvals: [String] = []
        for _ in 0..<3 {
            approvals.append(try await company.submit(rep, try await company.draft(rep)))
        }
        let first = try await manager.request("APPROVAL LIST kind=file limit=2")
        #expect(first.count == 3 && first.last == "OK 2 next=\(approvals[1])", "\(first)")
        #expect(first.first?.hasPrefix("* id=\(approvals[0]) kind=file ") == true, "\(first)")
        let second = try await manager.request("APPROVAL LIST kind=file limit=2 after=\(approvals[1])")
        #expect(second.count == 2 && second.last == "OK 1", "\(second)")
        #expect(second.first?.hasPrefix("* id=\(approvals[2]) kind=file ") == true, "\(second)")
        #expect(try await manager.request("APPROVAL LIST kind=file").count == 4)
        #expect(try await manager.request("APPROVAL LIST after=d2").first?.hasPrefix("ERR ARGS") == true)
        try await server.shutdown()
    }

    @Test func requestsThatCanNoLongerBeCarriedOutAreClosedWithTheirReason() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let archivist = try await company.client("arc.sh")
        let number = try await company.filedNumber(rep)

        // A deletion that a later hold blocks is closed by the hold.
        let deletion = try company.pendingID(try await rep.request("DOSSIER DELETE \(number) reason=重复建档"))
        #expect(try await manager.request("HOLD PLACE \(number) reason=诉讼") == ["OK"])
        let closed = try await rep.request("APPROVAL SHOW \(deletion)")
        #expect(closed.first?.contains("status=cancelled step=1/1 waiting_for=\"\"") == true, "\(closed)")
        #expect(closed.first?.hasSuffix("obstacle=\"\(number) is on legal hold\"") == true, "\(closed)")
        #expect(try await manager.request("APPROVE \(deletion)") == ["ERR CONFLICT \(deletion) was closed: \(number) is on legal hold"])
        #expect(try await rep.request("WITHDRAW \(deletion)") == ["ERR CONFLICT \(deletion) was closed: \(number) is on legal hold"])
        #expect(try await manager.request("APPROVAL LIST").last == "OK 0")
        let audit = try server.database.admin().query(
            "SELECT target, purpose, detail FROM dossier.audit_log WHERE action = 'approval.cancel'").rows
        #expect(audit.count == 1)
        #expect(try audit.first?.decode("target", as: String.self) == deletion)
        #expect(try audit.first?.decode("purpose", as: String.self) == "\(number) is on legal hold")
        _ = try await manager.request("HOLD RELEASE \(number) reason=结案")

        // An extension closes when its loan comes back.
        let borrower = try await company.client("zhao.lei")
        let loan = try company.pendingID(try await borrower.request("LOAN REQUEST \(number) purpose=核对 days=3"))
        let loanApproval = try #require(try await manager.request("APPROVAL LIST kind=loan").first?.firstMatch(of: /id=(A\d+)/)?.1)
        _ = try await manager.request("APPROVE \(loanApproval)")
        _ = try await archivist.request("LOAN CHECKOUT \(loan)")
        let extend = try company.pendingID(try await borrower.request("LOAN EXTEND \(loan) days=2 reason=未完"))
        #expect(try await archivist.request("LOAN RETURN \(loan)") == ["OK \(loan)"])
        #expect(try await manager.request("APPROVE \(extend)") == ["ERR CONFLICT \(extend) was closed: \(loan) is returned"])

        // What stands in the way for the time being is said on every listing and at approval.
        try server.database.admin().query("UPDATE dossier.dossier_retention SET retain_until = current_date - 1")
        let destroy = try company.pendingID(try await archivist.request("DESTROY \(number) reason=期满"))
        let second = try company.pendingID(try await borrower.request("LOAN REQUEST \(number) purpose=再核对 days=1"))
        let secondApproval = try #require(try await manager.request("APPROVAL LIST kind=loan").first?.firstMatch(of: /id=(A\d+)/)?.1)
        _ = try await manager.request("APPROVE \(secondApproval)")
        _ = try await archivist.request("LOAN CHECKOUT \(second)")
        let waiting = try await manager.request("APPROVAL LIST kind=destroy")
        #expect(waiting.first?.hasSuffix("obstacle=\"\(number) is on_loan\"") == true, "\(waiting)")
        #expect(try await manager.request("APPROVE \(destroy)") == ["ERR CONFLICT \(destroy) cannot be carried out now: \(number) is on_loan"])
        let todo = try await archivist.request("TODO")
        #expect(todo.contains { $0.contains("what=request target=\(destroy)") && $0.hasSuffix("verb=\"WITHDRAW \(destroy)\"") }, "\(todo)")
        let access = try company.pendingID(try await company.client("wang.fang").request("ACCESS REQUEST \(number) purpose=核对"))
        _ = try await archivist.request("LOAN RETURN \(second)")
        #expect(try await manager.request("APPROVE \(destroy)") == ["OK \(destroy) approved"])

        // The destruction closed what was still asked about the dossier.
        #expect(try await manager.request("APPROVE \(access)") == ["ERR CONFLICT \(access) was closed: \(number) is destroyed"])
        #expect(try await company.client("wang.fang").request("APPROVAL SHOW \(access)").first?.contains("status=cancelled") == true)
        try await server.shutdown()
    }

    @Test func deletionClosesPendingRequestsAndCancelsApprovedLoans() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let number = try await company.filedNumber(rep)
        let access = try company.pendingID(try await company.client("wang.fang").request("ACCESS REQUEST \(number) purpose=核对"))
        let loan = try company.pendingID(try await company.client("zhao.lei").request("LOAN REQUEST \(number) purpose=核对"))
        let deletion = try company.pendingID(try await rep.request("DOSSIER DELETE \(number) reason=重复建档"))
        #expect(try await manager.request("APPROVE \(deletion)") == ["OK \(deletion) approved"])
        #expect(try await manager.request("APPROVE \(access)") == ["ERR CONFLICT \(access) was closed: \(number) is deleted"])
        // (The borrower no longer sees the deleted dossier, nor so its loan.)
        #expect(try server.database.admin().query("SELECT status FROM dossier.loans WHERE id = $1::int8", [Int64(loan.dropFirst())!])
            .rows[0].decode("status", as: String.self) == "cancelled")
        #expect(try await manager.request("LOAN SHOW \(loan)").first?.contains("status=cancelled") == true)
        #expect(try await manager.request("APPROVAL LIST").last == "OK 0")
        try await server.shutdown()
    }
}
