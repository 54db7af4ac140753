import Foundation
import Postgres
import Testing
import TestSupport

/// The company time zone (issue 11, point 3): stored in the database, applied by
/// every command's transaction, so wire times carry the company offset and days
/// (same-day loans, `date=`) are the company's. The same scenario runs in two zones.
@Suite struct CompanyTimeZoneTests {
    /// A filed confidential dossier of li.na (reading room only, director's approval).
    func filedConfidential(_ company: Company) async throws -> String {
        let rep = try await company.client("li.na")
        let ref = try await company.draft(rep, extra: "level=confidential")
        let approval = try await company.submit(rep, ref)
        #expect(try await company.client("mgr.sh").request("APPROVE \(approval)").first?.hasPrefix("OK \(approval) approved number=") == true)
        let shown = try await rep.request("DOSSIER SHOW \(ref)")
        return String(try #require(shown.first?.firstMatch(of: /number=(\S+)/)?.1, "\(shown)"))
    }

    @Test func defaultIsShanghaiAndOnlyAnAdminChangesIt() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let admin = try await server.admin()
        let shown = try await admin.request("COMPANY SHOW")
        #expect(shown.count == 2 && shown[0].hasPrefix("* timezone=Asia/Shanghai offset=+08:00 today="), "\(shown)")
        #expect(try await company.client("dir").request("COMPANY SET timezone=UTC") == ["ERR DENIED COMPANY SET is not for role director"])
        #expect(try await admin.request("COMPANY SET timezone=Mars/Olympus_Mons")
            == ["ERR ARGS invalid timezone: unknown time zone; use an IANA name such as Asia/Shanghai"])
        #expect(try await admin.request("COMPANY SET timezone=\"Asia Shanghai\"").first?.hasPrefix("ERR ARGS invalid timezone") == true)
        #expect(try await admin.request("COMPANY SHOW").first?.contains("timezone=Asia/Shanghai") == true)
        #expect(try await admin.request("COMPANY SET timezone=UTC") == ["OK timezone=UTC offset=+00:00"])
        // Every connection, of any daemon, works in the new zone at its next command.
        #expect(try await company.client("li.na").request("COMPANY SHOW").first?.contains("timezone=UTC offset=+00:00") == true)
        let audit = try server.database.admin().query(
            "SELECT detail FROM dossier.audit_log WHERE action = 'company.set'").rows.map { try $0.decode(0, as: String.self) }
        #expect(audit == ["Asia/Shanghai -> UTC"])
        try await server.shutdown()
    }

    /// One working day in `zone`: every time on the wire carries `offset`, a
    /// same-day reading-room loan is due at the end of the company day, and a
    /// sweep `date=` counts the company's day.
    @Test(arguments: [("Asia/Shanghai", "+08:00"), ("Asia/Kolkata", "+05:30")])
    func aDayInTheCompanyZone(zone: String, offset: String) async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let admin = try await server.admin()
        #expect(try await admin.request("COMPANY SET timezone=\(zone)") == ["OK timezone=\(zone) offset=\(offset)"])
        let time = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d" + NSRegularExpression.escapedPattern(for: offset)
        func times(_ lines: [String], _ keys: [String]) {
            for key in keys {
                #expect(lines.contains { $0.range(of: " \(key)=\(time)( |$)", options: .regularExpression) != nil },
                        "\(key) in \(zone): \(lines)")
            }
        }

        let rep = try await company.client("li.na")
        let customer = try #require(try await rep.request("CUSTOMER NEW name=东方贸易").first?.firstMatch(of: /^OK (C-\S+)$/)?.1)
        times(try await rep.request("CUSTOMER SHOW \(customer)"), ["created", "updated"])
        let number = try await filedConfidential(company)
        times(try await rep.request("DOSSIER SHOW \(number)"), ["filed_at"])

        let answer = try await rep.request("LOAN REQUEST \(number) purpose=核对原件 days=1 mode=reading_room")
        let loan = String(try #require(answer.first?.firstMatch(of: /^OK (L\d+) pending$/)?.1, "\(answer)"))
        let waiting = try await company.client("dir").request("APPROVAL LIST")
        times(waiting, ["created"])
        let approval = String(try #require(waiting.first?.firstMatch(of: /id=(A\d+) kind=loan/)?.1, "\(waiting)"))
        #expect(try await company.client("dir").request("APPROVE \(approval)") == ["OK \(approval) approved"])
        let checkout = try await company.client("arc.sh").request("LOAN CHECKOUT \(loan)")
        // Same day: due at the end of the company's day, i.e. midnight with the company offset.
        let due = String(try #require(checkout.first?.firstMatch(of: /^OK L\d+ due=(\S+)$/)?.1, "\(checkout)"))
        #expect(due.hasSuffix("T00:00:00" + offset), "\(due)")
        let shown = try await rep.request("LOAN SHOW \(loan)")
        times(shown, ["due", "checked_out"])
        let checkedOut = String(try #require(shown.first?.firstMatch(of: /checked_out=(\d{4}-\d\d-\d\d)T/)?.1, "\(shown)"))
        let sql = try server.database.admin()
        let nextDay = try sql.query("SELECT ($1::date + 1)::text", [checkedOut]).rows[0].decode(0, as: String.self)
        #expect(due == "\(nextDay)T00:00:00\(offset)")
        times(try await company.client("aud").request("AUDIT LIST limit=5"), ["at"])

        // 2026-03-02T17:00Z is 22:30 on 2 March in Kolkata but 01:00 on 3 March in
        // Shanghai: due on the 2nd, the loan is overdue by the end of that day
        // only in Kolkata.
        try sql.query("UPDATE dossier.loans SET checked_out_at = timestamptz '2026-03-02T09:00:00Z', due_at = timestamptz '2026-03-02T17:00:00Z'")
        let charged = try await company.client("dir").request("PENALTY SWEEP date=2026-03-02")
        #expect(charged == [zone == "Asia/Kolkata" ? "OK 1" : "OK 0"], "\(zone): \(charged)")
        try await server.shutdown()
    }

    @Test func theSchedulerReadsTheCompanyZone() async throws {
        let server = try await TestServer()
        let admin = try await server.admin()
        #expect(try await admin.request("COMPANY SET timezone=America/New_York").first?.hasPrefix("OK timezone=America/New_York") == true)
        // The scheduler's system transactions get the zone from begin_system_command.
        let sql = try server.database.daemon()
        defer { sql.close() }
        let zone = try sql.transaction { connection in
            try connection.query("SELECT dossier.begin_system_command('scheduler')")
            return try connection.query("SELECT current_setting('TimeZone')").rows[0].decode(0, as: String.self)
        }
        #expect(zone == "America/New_York")
        try await server.shutdown()
    }
}
