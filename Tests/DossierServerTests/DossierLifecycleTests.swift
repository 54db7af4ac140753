import Foundation
import Postgres
import Testing
import TestSupport

/// A small company: HQ (director, auditor), SH (two reps, manager, archivist),
/// BJ (rep, manager), and one customer per sales office.
struct Company {
    let server: TestServer
    static let password = "pw"
    /// The year in the company's time zone (archive and customer numbers count by it).
    let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "Asia/Shanghai")!, from: Date()).year!

    init(_ server: TestServer) async throws {
        self.server = server
        let admin = try await server.admin()
        _ = try await admin.request("DEPT ADD SH name=上海")
        _ = try await admin.request("DEPT ADD BJ name=北京")
        for (login, dept, role) in [("li.na", "SH", "rep"), ("wang.fang", "SH", "rep"), ("mgr.sh", "SH", "manager"),
                                    ("arc.sh", "SH", "archivist"), ("zhao.lei", "BJ", "rep"), ("mgr.bj", "BJ", "manager"),
                                    ("dir", "HQ", "director"), ("aud", "HQ", "auditor")] {
            let answer = try await admin.request("USER ADD \(login) name=\(login) dept=\(dept) role=\(role) password=\(Self.password)")
            precondition(answer == ["OK \(login)"], "\(answer)")
        }
        // Customers are written directly here; CUSTOMER NEW has tests of its own.
        let sql = try server.database.admin()
        defer { sql.close() }
        try sql.query("""
            INSERT INTO dossier.customers (number, name, owner_id, dept_id)
            SELECT 'C-2026-0000' || v.n, v.name, u.id, u.dept_id
              FROM (VALUES (1, '华信贸易', 'li.na'), (2, '京华科技', 'zhao.lei')) v(n, name, login)
              JOIN dossier.users u ON u.login = v.login
            """)
        try sql.query("INSERT INTO dossier.customer_details (customer_id) SELECT id FROM dossier.customers")
        // CUSTOMER NEW continues after them.
        try sql.query("INSERT INTO dossier.customer_counters (year, last_no) VALUES (2026, 2) ON CONFLICT (year) DO NOTHING")
    }

    func client(_ login: String) async throws -> LineClient {
        try await server.client(as: login, password: Self.password)
    }

    /// A draft with one item, as `login`, for the customer given; returns its reference.
    func draft(_ client: LineClient, customer: String = "C-2026-00001", extra: String = "") async throws -> String {
        let answer = try await client.request("DOSSIER NEW customer=\(customer) category=HT title=\"2026 年度框架合同\" \(extra)")
        let ref = try #require(answer.first?.split(separator: " ").last.map(String.init), "\(answer)")
        #expect(try await client.request("ITEM ADD \(ref) title=合同正本 pages=12 medium=paper location=A-03-2 signed_customer=yes signed_internal=yes") == ["OK 1"])
        return ref
    }

    /// Submits and returns the approval id.
    func submit(_ client: LineClient, _ ref: String) async throws -> String {
        let answer = try await client.request("DOSSIER SUBMIT \(ref)")
        return try #require(answer.first?.split(separator: " ").last.map(String.init), "\(answer)")
    }
}

@Suite struct DossierLifecycleTests {
    @Test func theExampleSessionOfTheProtocol() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        #expect(try await rep.request("DOSSIER NEW customer=C-2026-00001 category=HT title=\"2026 年度框架合同\"") == ["OK D1"])
        #expect(try await rep.request("DOSSIER SUBMIT D1") == ["ERR CONFLICT D1 has no items; add at least one before submitting"])
        #expect(try await rep.request("ITEM ADD D1 title=\"合同正本\" pages=12 medium=paper location=A-03-2 signed_customer=yes signed_internal=yes") == ["OK 1"])
        #expect(try await rep.request("DOSSIER SUBMIT D1") == ["OK A1"])
        #expect(try await rep.request("DOSSIER SHOW D1") == [
            "* ref=D1 number=\"\" customer=C-2026-00001 category=HT title=\"2026 年度框架合同\" level=internal scope=personal status=submitted owner=li.na dept=SH location=\"\" filed_at=\"\" retain_until=\"\" hold=no",
            "OK 1",
        ])
        #expect(try await rep.request("ITEM ADD D1 title=late") == ["ERR CONFLICT D1 is submitted; cannot add items"])
        try await server.shutdown()
    }

    @Test func filingApprovalAssignsTheArchiveNumber() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let ref = try await company.draft(rep)
        let approval = try await company.submit(rep, ref)

        // Nobody approves their own request; a manager of another office does not even see it.
        #expect(try await rep.request("APPROVE \(approval)") == ["ERR DENIED APPROVE is not for role rep"])
        #expect(try await company.client("mgr.bj").request("APPROVE \(approval)") == ["ERR NOTFOUND no approval \(approval)"])
        #expect(try await company.client("dir").request("APPROVE \(approval)") == ["ERR DENIED \(approval) waits for a manager, step 1"])

        let waiting = try await manager.request("APPROVAL LIST")
        #expect(waiting.count == 2 && waiting[0].hasPrefix("* id=\(approval) kind=file target=\(ref) requester=li.na status=pending step=1/1 waiting_for=manager:SH"), "\(waiting)")
        #expect(try await rep.request("APPROVAL LIST").last == "OK 0")
        #expect(try await rep.request("APPROVAL LIST status=mine").last == "OK 1")

        #expect(try await manager.request("APPROVE \(approval) comment=齐全") == ["OK \(approval) approved number=SH-HT-\(company.year)-0001"])
        #expect(try await manager.request("APPROVE \(approval)") == ["ERR CONFLICT \(approval) is approved"])
        let number = "SH-HT-\(company.year)-0001"
        let shown = try await rep.request("DOSSIER SHOW \(number) purpose=核对")
        #expect(shown.count == 2)
        #expect(shown[0].contains("ref=\(ref) number=\(number) "))
        #expect(shown[0].contains(" status=filed "))
        #expect(shown[0].contains(" retain_until=\(company.year + 5)-"))
        #expect(try await rep.request("DOSSIER SHOW \(ref)").first == shown[0])

        // The request, what it files (title, items, unsigned items), its one decision.
        let decisions = try await rep.request("APPROVAL SHOW \(approval)")
        #expect(decisions.count == 6, "\(decisions)")
        #expect(decisions[1] == "* field=title old=\"\" new=\"2026 年度框架合同\"")
        #expect(decisions[4].contains("step=1 approver=manager dept=SH decision=approved by=mgr.sh comment=齐全"))

        // Reads are logged with their purpose, in the reading transaction.
        let audit = try server.database.admin().query(
            "SELECT purpose FROM dossier.audit_log WHERE action = 'dossier.show' ORDER BY id").rows.map { try $0.decode(0, as: String.self) }
        #expect(audit == ["核对", ""])
        try await server.shutdown()
    }

    @Test func rejectionAndWithdrawalReturnToDraft() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let first = try await company.draft(rep)
        let firstApproval = try await company.submit(rep, first)
        #expect(try await manager.request("REJECT \(firstApproval)").first?.hasPrefix("ERR ARGS") == true)
        #expect(try await manager.request("REJECT \(firstApproval) reason=缺少签字") == ["OK \(firstApproval) rejected"])
        #expect(try await rep.request("DOSSIER SHOW \(first)").first?.contains("status=draft") == true)
        #expect(try await rep.request("ITEM ADD \(first) title=补充") == ["OK 2"])

        let secondApproval = try await company.submit(rep, first)
        #expect(try await manager.request("WITHDRAW \(secondApproval)") == ["ERR DENIED only the requester withdraws \(secondApproval)"])
        #expect(try await rep.request("WITHDRAW \(secondApproval)") == ["OK \(secondApproval) withdrawn"])
        #expect(try await manager.request("APPROVE \(secondApproval)") == ["ERR CONFLICT \(secondApproval) is withdrawn"])
        #expect(try await rep.request("DOSSIER SHOW \(first)").first?.contains("status=draft") == true)
        try await server.shutdown()
    }

    @Test func managersOwnAndTopSecretFilingsGoToADirector() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let manager = try await company.client("mgr.sh")
        let director = try await company.client("dir")
        let own = try await company.draft(manager)
        let ownApproval = try await company.submit(manager, own)
        #expect(try await manager.request("APPROVE \(ownApproval)") == ["ERR DENIED nobody approves their own request"])
        #expect(try await director.request("APPROVAL LIST").first?.contains("waiting_for=director") == true)
        #expect(try await director.request("APPROVE \(ownApproval)").first?.hasPrefix("OK \(ownApproval) approved number=") == true)

        let rep = try await company.client("li.na")
        let secret = try await company.draft(rep, extra: "level=top_secret")
        let secretApproval = try await company.submit(rep, secret)
        // The manager sees neither the dossier nor its approval (issue 10: as hidden as the dossier).
        #expect(try await manager.request("DOSSIER SHOW \(secret)") == ["ERR NOTFOUND no dossier \(secret)"])
        #expect(try await manager.request("APPROVE \(secretApproval)") == ["ERR NOTFOUND no approval \(secretApproval)"])
        #expect(try await director.request("APPROVE \(secretApproval)").first?.hasPrefix("OK \(secretApproval) approved number=") == true)
        // Numbers continue per (department, category, year), whoever approves.
        #expect(try await rep.request("DOSSIER SHOW \(secret)").first?.contains("number=SH-HT-\(company.year)-0002") == true)
        try await server.shutdown()
    }

    @Test func visibilityThroughTheProtocol() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let draft = try await company.draft(rep)
        let filedRef = try await company.draft(rep)
        _ = try await manager.request("APPROVE \(try await company.submit(rep, filedRef))")
        let number = "SH-HT-\(company.year)-0001"

        // Another rep of the office: the filed register entry, but not its content; the draft not at all.
        let colleague = try await company.client("wang.fang")
        #expect(try await colleague.request("DOSSIER SHOW \(number)") == ["ERR DENIED \(number): only the register entry is visible to you; to read it, ask with ACCESS REQUEST \(number) purpose=<why> [hours=<n>]"])
        #expect(try await colleague.request("ITEM LIST \(number)") == ["ERR DENIED \(number): only the register entry is visible to you; to read it, ask with ACCESS REQUEST \(number) purpose=<why> [hours=<n>]"])
        // One waiting access request per person and dossier; withdrawn, it may be asked again.
        let asked = try #require(try await colleague.request("ACCESS REQUEST \(number) purpose=核对").first?.firstMatch(of: /^OK (A\d+) pending$/)?.1)
        #expect(try await colleague.request("ACCESS REQUEST \(number) purpose=再次 hours=2")
                == ["ERR CONFLICT \(number) already has your pending access request \(asked)"])
        #expect(try await manager.request("APPROVAL LIST kind=access").last == "OK 1")
        do {  // the database decides it too, whoever writes (a race between daemons)
            _ = try server.database.admin().query("""
                INSERT INTO dossier.approvals (kind, dept_id, requester_id, dossier_id, payload, reason, step_count)
                SELECT kind, dept_id, requester_id, dossier_id, payload, reason, step_count FROM dossier.approvals
                 WHERE id = $1::int8
                """, [Int64(asked.dropFirst())!])
            Issue.record("a second pending access request was stored")
        } catch let error as PostgresError {
            #expect(error.constraint == "approvals_one_pending_access", "\(error)")
        }
        #expect(try await colleague.request("WITHDRAW \(asked)") == ["OK \(asked) withdrawn"])
        #expect(try await colleague.request("ACCESS REQUEST \(number) purpose=再次").first?.hasSuffix(" pending") == true)
        #expect(try await colleague.request("DOSSIER SHOW \(draft)") == ["ERR NOTFOUND no dossier \(draft)"])
        #expect(try await colleague.request("ITEM ADD \(draft) title=x") == ["ERR NOTFOUND no dossier \(draft)"])
        #expect(try await colleague.request("DOSSIER SHOW D999") == ["ERR NOTFOUND no dossier D999"])
        let listed = try await colleague.request("DOSSIER LIST")
        #expect(listed == ["* ref=\(filedRef) number=\(number) category=HT dept=SH level=internal scope=personal status=filed owner=li.na year=\(company.year) title=\"2026 年度框架合同\" customer=C-2026-00001", "OK 1"])

        // The archivist reads the filed content of the office; the auditor only the register; admin nothing.
        #expect(try await company.client("arc.sh").request("ITEM LIST \(number)").last == "OK 1")
        #expect(try await company.client("aud").request("DOSSIER SHOW \(number)").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await server.admin().request("DOSSIER SHOW \(number)").first?.hasPrefix("ERR DENIED DOSSIER SHOW is not for role admin") == true)
        // The manager sees the office's draft too.
        #expect(try await manager.request("DOSSIER LIST").last == "OK 2")
        try await server.shutdown()
    }

    @Test func dossierListPagesByKeyset() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        for _ in 0..<5 {
            _ = try await rep.request("DOSSIER NEW customer=C-2026-00001 category=BJ title=报价")
        }
        let first = try await rep.request("DOSSIER LIST limit=2")
        #expect(first.count == 3 && first.last == "OK 2 next=d2")
        let second = try await rep.request("DOSSIER LIST limit=2 after=d2")
        #expect(second.last == "OK 2 next=d4")
        _ = try await rep.request("DOSSIER NEW customer=C-2026-00001 category=BJ title=新的")  // a concurrent insert
        let third = try await rep.request("DOSSIER LIST limit=2 after=d4")
        #expect(third.last == "OK 2")
        #expect(third.first?.hasPrefix("* ref=D5 ") == true)
        #expect(try await rep.request("DOSSIER LIST after=bogus").first?.hasPrefix("ERR ARGS") == true)
        try await server.shutdown()
    }
}
