import Foundation
import Postgres
import Testing
import TestSupport

/// `RETENTION LIST/SET/DUE` and `HOLD PLACE/RELEASE` (issue 5).
@Suite struct RetentionTests {
    /// Files a dossier of `login` (approved by `approver`); returns (D<n>, archive number).
    func filed(_ company: Company, _ login: String = "li.na", customer: String = "C-2026-00001",
               extra: String = "", approver: String = "mgr.sh") async throws -> (String, String) {
        let rep = try await company.client(login)
        let ref = try await company.draft(rep, customer: customer, extra: extra)
        let approval = try await company.submit(rep, ref)
        #expect(try await company.client(approver).request("APPROVE \(approval)").first?.hasPrefix("OK \(approval) approved number=") == true)
        let shown = try await rep.request("DOSSIER SHOW \(ref)")
        let number = try #require(shown.first?.firstMatch(of: /number=(\S+)/)?.1)
        return (ref, String(number))
    }

    func retainUntil(_ client: LineClient, _ ref: String) async throws -> String {
        let shown = try await client.request("DOSSIER SHOW \(ref)")
        return String(try #require(shown.first?.firstMatch(of: /retain_until=(\S+)/)?.1, "\(shown)"))
    }

    func auditCount(_ server: TestServer, _ action: String) throws -> Int {
        let sql = try server.database.admin()
        defer { sql.close() }
        return try sql.query("SELECT count(*)::int8 FROM dossier.audit_log WHERE action = $1::text", [action]).rows[0].decode(0, as: Int.self)
    }

    @Test func listShowsTheDefaultsOfTheRules() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        #expect(try await company.client("li.na").request("RETENTION LIST") == [
            "* category=HT years=5 trigger=filed", "* category=BJ years=5 trigger=filed", "* category=DD years=5 trigger=filed",
            "* category=KH years=5 trigger=closed", "* category=XY years=5 trigger=closed",
            "* category=TS years=3 trigger=filed", "* category=HD years=3 trigger=filed", "* category=BG years=3 trigger=filed",
            "OK 8",
        ])
        try await server.shutdown()
    }

    @Test func dryRunChangesNothingAndSetRecomputes() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let (ref, _) = try await filed(company)
        _ = try await filed(company)
        let rep = try await company.client("li.na")
        let before = try await retainUntil(rep, ref)
        #expect(before.hasPrefix("\(company.year + 5)-"))
        let admin = try await server.admin()

        #expect(try await rep.request("RETENTION SET HT years=7 trigger=filed").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await admin.request("RETENTION SET HT years=7 trigger=filed dry_run=yes") == [
            "* category=HT years=7 trigger=filed dossiers_changed=2 earlier=0 later=2 now_due=0", "OK 1",
        ])
        #expect(try await admin.request("RETENTION SET HT years=5 trigger=closed dry_run=yes") == [
            "* category=HT years=5 trigger=closed dossiers_changed=2 earlier=0 later=2 now_due=0", "OK 1",
        ])
        #expect(try await admin.request("RETENTION SET HT years=5 trigger=filed dry_run=yes") == [
            "* category=HT years=5 trigger=filed dossiers_changed=0 earlier=0 later=0 now_due=0", "OK 1",
        ])
        #expect(try await retainUntil(rep, ref) == before)
        #expect(try await admin.request("RETENTION LIST").first == "* category=HT years=5 trigger=filed")
        #expect(try auditCount(server, "retention.set") == 0)

        #expect(try await admin.request("RETENTION SET HT years=7 trigger=filed dry_run=no") == ["OK"])
        #expect(try await retainUntil(rep, ref) == "\(company.year + 7)" + before.dropFirst(4))
        #expect(try await admin.request("RETENTION LIST").first == "* category=HT years=7 trigger=filed")
        #expect(try auditCount(server, "retention.set") == 1)

        // Counting from closing: never due while the customer is open.
        #expect(try await admin.request("RETENTION SET HT years=1 trigger=closed") == ["OK"])
        #expect(try await retainUntil(rep, ref) == "\"\"")
        // After closing, one year from the closing date; long closed → due now.
        #expect(try await company.client("mgr.sh").request("CUSTOMER CLOSE C-2026-00001 date=2020-06-30 reason=终止合作") == ["OK"])
        #expect(try await retainUntil(rep, ref) == "2021-06-30")
        #expect(try await admin.request("RETENTION SET HT years=2 trigger=closed dry_run=yes") == [
            "* category=HT years=2 trigger=closed dossiers_changed=2 earlier=0 later=2 now_due=0", "OK 1",
        ])
        #expect(try await admin.request("RETENTION SET HT years=5 trigger=filed dry_run=yes") == [
            "* category=HT years=5 trigger=filed dossiers_changed=2 earlier=0 later=2 now_due=0", "OK 1",
        ])
        try await server.shutdown()
    }

    @Test func dueListsOnlyDueUnheldVisibleDossiers() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let (first, _) = try await filed(company)
        let (second, secondNumber) = try await filed(company)
        let (beijing, beijingNumber) = try await filed(company, "zhao.lei", customer: "C-2026-00002", approver: "mgr.bj")
        let (fresh, _) = try await filed(company)
        _ = fresh
        let sql = try server.database.admin()
        try sql.query("""
            UPDATE dossier.dossier_retention SET retain_until = v.day::date, filed_on = (v.day::date - interval '5 years')::date
              FROM (VALUES ($1::text, '2020-03-01'), ($2::text, '2020-01-01'), ($3::text, '2020-02-01')) v(ref, day)
             WHERE 'D' || dossier_id = v.ref
            """, [first, second, beijing])
        sql.close()
        let manager = try await company.client("mgr.sh")
        #expect(try await manager.request("HOLD PLACE \(first) reason=诉讼") == ["OK"])

        let y = company.year
        #expect(try await manager.request("RETENTION DUE") == [
            "* ref=\(second) number=\(secondNumber) category=HT dept=SH retain_until=2020-01-01", "OK 1",
        ])
        #expect(try await company.client("mgr.bj").request("RETENTION DUE") == [
            "* ref=\(beijing) number=\(beijingNumber) category=HT dept=BJ retain_until=2020-02-01", "OK 1",
        ])
        let director = try await company.client("dir")
        #expect(try await director.request("RETENTION DUE") == [
            "* ref=\(second) number=\(secondNumber) category=HT dept=SH retain_until=2020-01-01",
            "* ref=\(beijing) number=\(beijingNumber) category=HT dept=BJ retain_until=2020-02-01", "OK 2",
        ])
        #expect(try await director.request("RETENTION DUE limit=1").last == "OK 1")
        #expect(try await director.request("RETENTION DUE before=2020-01-15").count == 2)
        #expect(try await director.request("RETENTION DUE before=2020-01-01") == ["OK 0"])
        // Everything, well into the future: the fresh dossiers too, held one still not.
        let far = try await director.request("RETENTION DUE before=\(y + 10)-01-01")
        #expect(far.last == "OK 3" && !far.contains { $0.contains("ref=\(first) ") }, "\(far)")
        #expect(try await company.client("li.na").request("RETENTION DUE").first?.hasPrefix("ERR DENIED") == true)

        #expect(try await manager.request("HOLD RELEASE \(first) reason=结案") == ["OK"])
        #expect(try await manager.request("RETENTION DUE").last == "OK 2")
        try await server.shutdown()
    }

    /// `KH` counts from the customer's closing: never due while the customer is
    /// open, due five years after the closing day once it is closed.
    @Test func dueCountsFromTheCustomersClosing() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let made = try await rep.request("DOSSIER NEW customer=C-2026-00001 category=KH title=客户基本资料")
        let ref = try #require(made.first?.split(separator: " ").last.map(String.init), "\(made)")
        #expect(try await rep.request("ITEM ADD \(ref) title=营业执照 pages=1 medium=paper signed_customer=yes signed_internal=yes") == ["OK 1"])
        let approval = try await company.submit(rep, ref)
        #expect(try await company.client("mgr.sh").request("APPROVE \(approval)").first?.hasPrefix("OK \(approval) approved number=") == true)
        let number = String(try #require(try await rep.request("DOSSIER SHOW \(ref)").first?.firstMatch(of: /number=(\S+)/)?.1))
        _ = try await filed(company)  // a contract filed today: not due for years

        let director = try await company.client("dir")
        #expect(try await retainUntil(rep, ref) == "\"\"")
        #expect(try await director.request("RETENTION DUE") == ["OK 0"])
        #expect(try await rep.request("CUSTOMER CLOSE C-2026-00001 date=2015-06-30 reason=终止合作") == ["OK"])
        #expect(try await retainUntil(rep, ref) == "2020-06-30")
        #expect(try await director.request("RETENTION DUE") == [
            "* ref=\(ref) number=\(number) category=KH dept=SH retain_until=2020-06-30", "OK 1",
        ])
        #expect(try await director.request("RETENTION DUE before=2020-06-30") == ["OK 0"])
        #expect(try await director.request("RETENTION DUE before=2020-07-01").last == "OK 1")
        try await server.shutdown()
    }

    @Test func holdsArePlacedAndReleasedByTheRightPeople() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let (ref, number) = try await filed(company)
        let (secret, _) = try await filed(company, extra: "level=top_secret", approver: "dir")
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let director = try await company.client("dir")

        #expect(try await rep.request("HOLD PLACE \(number) reason=诉讼").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await company.client("mgr.bj").request("HOLD PLACE \(number) reason=诉讼") == [
            "ERR DENIED only the department's manager or a director may place a hold",
        ])
        #expect(try await company.client("mgr.bj").request("HOLD PLACE \(secret) reason=诉讼") == ["ERR NOTFOUND no dossier \(secret)"])
        #expect(try await manager.request("HOLD PLACE \(secret) reason=诉讼") == ["ERR NOTFOUND no dossier \(secret)"])
        #expect(try await director.request("HOLD PLACE \(secret) reason=诉讼") == ["OK"])
        #expect(try await manager.request("HOLD RELEASE \(ref) reason=x") == ["ERR CONFLICT \(number) is not on hold"])

        // A deletion asked for before the hold is closed by the hold, with the reason recorded (issue 11).
        let deletion = try #require(try await rep.request("DOSSIER DELETE \(number) reason=重复建档").first?.firstMatch(of: /(A\d+)/)?.1)
        #expect(try await manager.request("HOLD PLACE \(number) reason=诉讼") == ["OK"])
        #expect(try await director.request("HOLD PLACE \(number) reason=again") == ["ERR CONFLICT \(number) is already on hold"])
        #expect(try await rep.request("DOSSIER SHOW \(ref)").first?.hasSuffix(" hold=yes") == true)
        #expect(try await rep.request("DOSSIER DELETE \(number) reason=x") == ["ERR CONFLICT \(number) is on legal hold"])
        let refused = try await manager.request("APPROVE \(deletion)")
        #expect(refused == ["ERR CONFLICT \(deletion) was closed: \(number) is on legal hold"], "\(refused)")
        #expect(try await rep.request("DOSSIER SHOW \(ref)").first?.contains(" status=filed ") == true)
        // The database refuses it too, whoever writes.
        let sql = try server.database.admin()
        defer { sql.close() }
        #expect(throws: PostgresError.self) {
            try sql.query("""
                UPDATE dossier.dossiers SET status = 'deleted', deleted_at = now(), purge_after = now() WHERE number = $1::text
                """, [number])
        }

        #expect(try await company.client("mgr.bj").request("HOLD RELEASE \(number) reason=结案").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await manager.request("HOLD RELEASE \(number) reason=结案") == ["OK"])
        #expect(try await rep.request("DOSSIER SHOW \(ref)").first?.hasSuffix(" hold=no") == true)
        let released = try sql.query("""
            SELECT u.login, h.release_reason FROM dossier.legal_holds h JOIN dossier.users u ON u.id = h.released_by
             WHERE h.dossier_id = $1::int8
            """, [Int64(ref.dropFirst())!]).rows
        #expect(released.count == 1)
        #expect(try released.first?.decode("login", as: String.self) == "mgr.sh")
        #expect(try released.first?.decode("release_reason", as: String.self) == "结案")
        #expect(try auditCount(server, "hold.place") == 2)
        #expect(try auditCount(server, "hold.release") == 1)
        // Released: the closed request stays closed; a new one goes through now.
        #expect(try await manager.request("APPROVE \(deletion)") == ["ERR CONFLICT \(deletion) was closed: \(number) is on legal hold"])
        let again = try #require(try await rep.request("DOSSIER DELETE \(number) reason=重复建档").first?.firstMatch(of: /(A\d+)/)?.1)
        #expect(try await manager.request("APPROVE \(again)") == ["OK \(again) approved"])
        #expect(try await rep.request("DOSSIER SHOW \(ref)").first?.contains(" status=deleted ") == true)
        try await server.shutdown()
    }
}
