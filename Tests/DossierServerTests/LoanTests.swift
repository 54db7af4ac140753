import Foundation
import Postgres
import Testing
import TestSupport

/// RULES.md "Loans" through the protocol.
@Suite struct LoanTests {
    func filed(_ company: Company, extra: String = "") async throws -> String {
        let rep = try await company.client("li.na")
        let ref = try await company.draft(rep, extra: extra)
        let approval = try await company.submit(rep, ref)
        let approver = extra.contains("top_secret") ? "dir" : "mgr.sh"
        #expect(try await company.client(approver).request("APPROVE \(approval)").first?.hasPrefix("OK \(approval) approved number=") == true)
        return ref
    }

    func loanID(_ answer: [String]) throws -> String {
        String(try #require(answer.first?.firstMatch(of: /^OK (L\d+) pending$/)?.1, "\(answer)"))
    }

    @Test func internalLoanFullCycle() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        _ = try await server.admin().request("USER ADD arc.bj name=arc dept=BJ role=archivist password=\(Company.password)")
        let ref = try await filed(company)
        let borrower = try await company.client("zhao.lei")
        let archivist = try await company.client("arc.sh")
        #expect(try await borrower.request("DOSSIER SHOW \(ref)").first?.hasPrefix("ERR DENIED") == true)
        let loan = try loanID(try await borrower.request("LOAN REQUEST \(ref) purpose=核对合同 days=3"))
        #expect(try await borrower.request("LOAN REQUEST \(ref) purpose=again") == ["ERR CONFLICT dossier already has an active loan"])
        #expect(try await archivist.request("LOAN CHECKOUT \(loan)") == ["ERR CONFLICT \(loan) is pending; it must be approved"])
        let approval = try #require(try await company.client("mgr.sh").request("APPROVAL LIST kind=loan").first?.firstMatch(of: /id=(A\d+)/)?.1)
        #expect(try await company.client("mgr.sh").request("APPROVE \(approval)") == ["OK \(approval) approved"])
        // Only an archivist of the owning department hands it out.
        #expect(try await company.client("mgr.sh").request("LOAN CHECKOUT \(loan)").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await company.client("arc.bj").request("LOAN CHECKOUT \(loan)").first?.hasPrefix("ERR") == true)
        // A check-out is answered after the commit of its one round trip: the refused ones wrote nothing.
        let refused = try server.database.admin().query("""
            SELECT (SELECT count(*) FROM dossier.audit_log WHERE action = 'loan.checkout')
                   + (SELECT count(*) FROM dossier.loans WHERE status <> 'approved')
            """).rows[0].decode(0, as: Int64.self)
        #expect(refused == 0)
        let out = try await archivist.request("LOAN CHECKOUT \(loan)")
        #expect(out.first?.hasPrefix("OK \(loan) due=") == true, "\(out)")
        #expect(try await archivist.request("LOAN CHECKOUT \(loan)") == ["ERR CONFLICT \(loan) is already checked out"])
        // While it is out the borrower reads it without a grant, and its status is on_loan.
        let shown = try await borrower.request("DOSSIER SHOW \(ref) purpose=借阅")
        #expect(shown.last == "OK 1" && shown.first?.contains("status=on_loan") == true, "\(shown)")
        #expect(try await borrower.request("LOAN SHOW \(loan)").first?.contains("status=checked_out mode=takeout") == true)

        // An extension is a new approval.
        let extensionAnswer = try await borrower.request("LOAN EXTEND \(loan) days=2 reason=审计未完")
        let extensionApproval = try #require(extensionAnswer.first?.firstMatch(of: /^OK (A\d+) pending$/)?.1, "\(extensionAnswer)")
        let dueBefore = try server.database.admin().query("SELECT due_at::text FROM dossier.loans").rows[0].decode(0, as: String.self)
        #expect(try await company.client("mgr.sh").request("APPROVE \(extensionApproval)") == ["OK \(extensionApproval) approved"])
        let moved = try server.database.admin().query(
            "SELECT due_at - $1::timestamptz = interval '2 days' FROM dossier.loans", [dueBefore]).rows[0].decode(0, as: Bool.self)
        #expect(moved)

        // Overdue: due time passed and not returned.
        try server.database.admin().query("UPDATE dossier.loans SET due_at = now() - interval '1 hour'")
        #expect(try await archivist.request("LOAN LIST status=overdue").last == "OK 1")

        // An incomplete return records a loss/damage violation for the borrower.
        // The answer names the penalty the loss cost (issue 11).
        #expect(try await archivist.request("LOAN RETURN \(loan) complete=no note=缺第3页") == ["OK \(loan) penalty=P1 amount=20.00"])
        #expect(try await archivist.request("LOAN RETURN \(loan)").first?.hasPrefix("ERR CONFLICT") == true)
        let penalty = try server.database.admin().query("""
            SELECT p.rule_code, p.amount_fen, u.login FROM dossier.penalties p JOIN dossier.users u ON u.id = p.user_id
            """).rows
        #expect(penalty.count == 1)
        #expect(try penalty.first?.decode("rule_code", as: String.self) == "LOST_OR_DAMAGED")
        #expect(try penalty.first?.decode("amount_fen", as: Int64.self) == 2000)
        #expect(try penalty.first?.decode("login", as: String.self) == "zhao.lei")
        // The auditor reads the penalty in the dossier's story (0191).
        let story = try await company.client("aud").request("AUDIT LIST ref=\(ref)")
        #expect(story.contains { $0.contains("action=penalty.charge target=P1") }, "\(story)")
        #expect(story.contains { $0.contains("action=loan.return target=\(loan)") }, "\(story)")
        #expect(try await borrower.request("DOSSIER SHOW \(ref)").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await company.client("li.na").request("DOSSIER SHOW \(ref)").first?.contains("status=filed") == true)
        // Every row of the filing and the cycle is about the dossier (AUDIT LIST ref= finds them): the writers name it (0190).
        let abouts = try server.database.admin().query("""
            SELECT a.action, coalesce(a.about_dossier = l.dossier_id, false) AS about
              FROM dossier.audit_log a, dossier.loans l
             WHERE a.action IN ('loan.request', 'approval.request', 'approval.approve', 'loan.checkout', 'loan.return')
             ORDER BY a.id
            """).rows.map { try "\($0.decode("action", as: String.self)) \($0.decode("about", as: Bool.self))" }
        #expect(abouts == ["approval.request true", "approval.approve true",  // the filing
                           "approval.request true", "approval.approve true", "loan.checkout true",
                           "approval.request true", "approval.approve true", "loan.return true"])
        try await server.shutdown()
    }

    @Test func eachLevelsRule() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let borrower = try await company.client("wang.fang")
        let secret = try await filed(company, extra: "level=secret")
        #expect(try await borrower.request("LOAN REQUEST \(secret) purpose=x hours=5").first?.hasPrefix("ERR ARGS invalid hours: at most 4 hours") == true)
        // Named by the key the borrower typed (the limit in hours: the level's own unit).
        #expect(try await borrower.request("LOAN REQUEST \(secret) purpose=x days=3") == ["ERR ARGS invalid days: at most 4 hours for this level"])
        _ = try loanID(try await borrower.request("LOAN REQUEST \(secret) purpose=x hours=2"))
        #expect(try await company.client("dir").request("APPROVAL LIST kind=loan").first?.contains("waiting_for=director") == true)

        let confidential = try await filed(company, extra: "level=confidential")
        let takeout = try await borrower.request("LOAN REQUEST \(confidential) purpose=x mode=takeout")
        #expect(takeout.first?.hasPrefix("ERR DENIED") == true && takeout.first?.hasSuffix("may only be lent as reading_room") == true, "\(takeout)")
        let reading = try loanID(try await borrower.request("LOAN REQUEST \(confidential) purpose=x"))
        #expect(try await borrower.request("LOAN SHOW \(reading)").first?.contains("mode=reading_room") == true)

        let topSecret = try await filed(company, extra: "level=top_secret")
        let never = try await company.client("li.na").request("LOAN REQUEST \(topSecret) purpose=x")
        #expect(never.first?.hasPrefix("ERR DENIED") == true && never.first?.hasSuffix("top_secret dossiers are never lent") == true, "\(never)")

        let draft = try await company.draft(try await company.client("li.na"))
        #expect(try await company.client("li.na").request("LOAN REQUEST \(draft) purpose=x") == ["ERR CONFLICT \(draft) is draft; only filed dossiers are lent"])
        // A rejected request frees the dossier for the next one.
        let internalRef = try await filed(company)
        let first = try loanID(try await borrower.request("LOAN REQUEST \(internalRef) purpose=x"))
        let approval = try #require(try await company.client("mgr.sh").request("APPROVAL LIST kind=loan").first?.firstMatch(of: /id=(A\d+)/)?.1)
        #expect(try await company.client("mgr.sh").request("REJECT \(approval) reason=不需要") == ["OK \(approval) rejected"])
        #expect(try await borrower.request("LOAN SHOW \(first)").first?.contains("status=rejected") == true)
        _ = try loanID(try await borrower.request("LOAN REQUEST \(internalRef) purpose=again"))
        try await server.shutdown()
    }

    @Test func fiftyConnectionsRaceForOneDossier() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let ref = try await filed(company)
        // Sign in first (bcrypt is deliberately slow); the race is the requests.
        var clients: [LineClient] = []
        for index in 0..<50 {
            clients.append(try await company.client(index % 2 == 0 ? "wang.fang" : "zhao.lei"))
        }
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for client in clients {
                group.addTask {
                    try await client.request("LOAN REQUEST \(ref) purpose=抢").first ?? ""
                }
            }
            var all: [String] = []
            for try await answer in group { all.append(answer) }
            return all
        }
        #expect(answers.filter { $0.hasPrefix("OK L") }.count == 1, "\(answers)")
        #expect(answers.filter { $0 == "ERR CONFLICT dossier already has an active loan" || $0.hasPrefix("ERR CONFLICT concurrent") }.count == 49, "\(answers)")
        let loans = try server.database.admin().query("SELECT count(*)::int8 FROM dossier.loans").rows[0].decode(0, as: Int.self)
        #expect(loans == 1)
        try await server.shutdown()
    }
}
