import Foundation
import Postgres
import Testing
import TestSupport

/// Verbs people asked for in a working week (issue 11, point 6) and errors that
/// say what to do (point 7), over the protocol.
@Suite struct WeekVerbsTests {
    /// A filed dossier of li.na in SH; returns its archive number.
    func filed(_ company: Company, extra: String = "") async throws -> String {
        let rep = try await company.client("li.na")
        let ref = try await company.draft(rep, extra: extra)
        let approval = try await company.submit(rep, ref)
        #expect(try await company.client("mgr.sh").request("APPROVE \(approval)").first?.hasPrefix("OK \(approval) approved number=") == true)
        let shown = try await rep.request("DOSSIER SHOW \(ref)")
        return String(try #require(shown.first?.firstMatch(of: /number=(\S+)/)?.1, "\(shown)"))
    }

    // MARK: Point 6

    @Test func grantsAreListedAndRevoked() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let number = try await filed(company)
        let outsider = try await company.client("zhao.lei")
        // DENIED says what to do.
        #expect(try await outsider.request("DOSSIER SHOW \(number)") == [
            "ERR DENIED \(number): only the register entry is visible to you; to read it, ask with ACCESS REQUEST \(number) purpose=<why> [hours=<n>]",
        ])
        // An auditor, who may not ask, is not told to.
        #expect(try await company.client("aud").request("DOSSIER SHOW \(number)")
            == ["ERR DENIED \(number): only the register entry is visible to you"])
        let answer = try await outsider.request("ACCESS REQUEST \(number) purpose=核对合同金额 hours=4")
        let approval = String(try #require(answer.first?.firstMatch(of: /^OK (A\d+) pending$/)?.1, "\(answer)"))
        #expect(try await outsider.request("ACCESS LIST") == ["OK 0"])
        #expect(try await company.client("mgr.sh").request("APPROVE \(approval)") == ["OK \(approval) approved"])

        let mine = try await outsider.request("ACCESS LIST")
        #expect(mine.count == 2 && mine[0].hasPrefix("* grant=G1 ref=\(number) grantee=zhao.lei dept=SH purpose=核对合同金额 starts="), "\(mine)")
        #expect(mine[0].contains(" status=active approval=\(approval) revoked_at=\"\" revoked_by=\"\""), "\(mine)")
        #expect(try await outsider.request("ACCESS LIST all") == mine)  // a rep sees only their own
        #expect(try await company.client("mgr.sh").request("ACCESS LIST all").count == 2)
        #expect(try await company.client("mgr.sh").request("ACCESS LIST") == ["OK 0"])
        #expect(try await company.client("mgr.bj").request("ACCESS LIST all") == ["OK 0"])
        #expect(try await outsider.request("DOSSIER SHOW \(number)").last == "OK 1")

        // Someone else may not end it; it does not even exist for them.
        #expect(try await company.client("wang.fang").request("ACCESS REVOKE G1") == ["ERR NOTFOUND no grant G1"])
        #expect(try await outsider.request("ACCESS REVOKE G1 reason=已核对完毕") == ["OK G1 revoked"])
        #expect(try await outsider.request("ACCESS REVOKE G1") == ["ERR CONFLICT G1 is revoked already"])
        #expect(try await outsider.request("DOSSIER SHOW \(number)").first?.hasPrefix("ERR DENIED") == true)
        let after = try await outsider.request("ACCESS LIST")
        #expect(after[0].contains(" status=revoked ") && after[0].contains(" revoked_by=zhao.lei"), "\(after)")
        let audit = try server.database.admin().query(
            "SELECT target, purpose, detail FROM dossier.audit_log WHERE action = 'access.revoke'").rows
        #expect(audit.count == 1)
        #expect(try audit[0].decode("target", as: String.self) == number)
        #expect(try audit[0].decode("purpose", as: String.self) == "已核对完毕")

        // The department's manager may end a grant early.
        let again = try await outsider.request("ACCESS REQUEST \(number) purpose=再次核对")
        let second = String(try #require(again.first?.firstMatch(of: /^OK (A\d+) pending$/)?.1, "\(again)"))
        _ = try await company.client("mgr.sh").request("APPROVE \(second)")
        #expect(try await company.client("mgr.sh").request("ACCESS REVOKE G2 reason=范围过大") == ["OK G2 revoked"])
        #expect(try await company.client("mgr.bj").request("ACCESS REVOKE G2") == ["ERR NOTFOUND no grant G2"])
        try await server.shutdown()
    }

    @Test func holdsAreListed() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let number = try await filed(company)
        let manager = try await company.client("mgr.sh")
        #expect(try await manager.request("HOLD LIST") == ["OK 0"])
        #expect(try await manager.request("HOLD PLACE \(number) reason=诉讼保全") == ["OK"])
        for login in ["li.na", "zhao.lei", "aud", "dir"] {
            let listed = try await company.client(login).request("HOLD LIST")
            #expect(listed.count == 2, "\(login): \(listed)")
            #expect(listed[0].hasPrefix("* ref=\(number) dept=SH level=internal status=active reason=诉讼保全 placed_by=mgr.sh placed_at="),
                    "\(listed)")
        }
        #expect(try await manager.request("HOLD RELEASE \(number) reason=结案") == ["OK"])
        #expect(try await manager.request("HOLD LIST") == ["OK 0"])
        let released = try await manager.request("HOLD LIST status=released")
        #expect(released.count == 2 && released[0].contains(" status=released ") && released[0].contains(" released_by=mgr.sh "))
        #expect(released[0].hasSuffix(" release_reason=结案"), "\(released)")
        #expect(try await manager.request("HOLD LIST status=all") == released)
        #expect(try await server.admin().request("HOLD LIST") == ["ERR DENIED HOLD LIST is not for role admin"])
        try await server.shutdown()
    }

    @Test func customerHistoryShowsEveryAppliedChange() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let answer = try await rep.request("CUSTOMER SET C-2026-00001 phone=021-12345678 grade=A reason=年度更新")
        let approval = String(try #require(answer.first?.firstMatch(of: /^OK (A\d+) pending$/)?.1, "\(answer)"))
        #expect(try await rep.request("CUSTOMER HISTORY C-2026-00001") == ["OK 0"])
        #expect(try await company.client("mgr.sh").request("APPROVE \(approval)") == ["OK \(approval) approved"])
        let history = try await rep.request("CUSTOMER HISTORY C-2026-00001")
        #expect(history.count == 3, "\(history)")
        #expect(history.contains { $0.contains(" field=phone old=\"\" new=021-12345678 reason=年度更新 by=li.na approved_by=mgr.sh approval=\(approval)") },
                "\(history)")
        #expect(history.contains { $0.contains(" field=grade old=\"\" new=A ") })
        #expect(try await company.client("mgr.sh").request("CUSTOMER HISTORY C-2026-00001") == history)
        // Directory entry only: DENIED; no such customer: NOTFOUND.
        #expect(try await company.client("zhao.lei").request("CUSTOMER HISTORY C-2026-00001")
            == ["ERR DENIED C-2026-00001: only the directory entry is visible to you"])
        #expect(try await rep.request("CUSTOMER HISTORY C-2026-09999") == ["ERR NOTFOUND no customer C-2026-09999"])
        try await server.shutdown()
    }

    @Test func handoverListsAreRecordedAndReadable() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let number = try await filed(company)
        let admin = try await server.admin()
        #expect(try await admin.request("USER LEAVE li.na successor=wang.fang") == ["OK 1 1 handover=H1"])
        let listed = try await admin.request("HANDOVER LIST")
        #expect(listed.count == 2)
        #expect(listed[0].hasPrefix("* id=H1 occasion=leave leaver=li.na successor=wang.fang dept=SH to_dept=\"\" at="), "\(listed)")
        #expect(listed[0].hasSuffix(" by=admin customers=1 dossiers=1"), "\(listed)")
        let shown = try await admin.request("HANDOVER SHOW H1")
        #expect(shown == [listed[0], "* kind=customer ref=C-2026-00001", "* kind=dossier ref=\(number)", "OK 3"])
        // The successor and the department's manager read it; others do not see it.
        #expect(try await company.client("wang.fang").request("HANDOVER SHOW H1") == shown)
        #expect(try await company.client("wang.fang").request("HANDOVER LIST") == listed)
        #expect(try await company.client("mgr.sh").request("HANDOVER LIST li.na") == listed)
        #expect(try await company.client("zhao.lei").request("HANDOVER LIST") == ["OK 0"])
        #expect(try await company.client("zhao.lei").request("HANDOVER SHOW H1") == ["ERR NOTFOUND no handover H1"])
        #expect(try await admin.request("HANDOVER LIST zhao.lei") == ["OK 0"])
        #expect(try await admin.request("HANDOVER SHOW H9") == ["ERR NOTFOUND no handover H9"])

        // Back after leaving: active again, with nothing handed back.
        #expect(try await admin.request("USER ACTIVATE li.na") == ["OK li.na"])
        #expect(try await admin.request("USER ACTIVATE li.na") == ["ERR CONFLICT li.na is active"])
        #expect(try await admin.request("USER ACTIVATE nobody") == ["ERR NOTFOUND no user nobody"])
        let back = try await company.client("li.na")
        #expect(try await back.request("WHOAMI") == ["OK li.na role=rep dept=SH"])
        #expect(try await back.request("CUSTOMER LIST owner=li.na") == ["OK 0"])
        #expect(try await company.client("mgr.sh").request("USER ACTIVATE li.na") == ["ERR DENIED USER ACTIVATE is not for role manager"])
        try await server.shutdown()
    }

    @Test func userSetSaysWhatMoves() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let number = try await filed(company)
        let admin = try await server.admin()
        let rep = try await company.client("li.na")

        // Name, line and an owning role: nothing to move.
        #expect(try await admin.request("USER SET wang.fang name=王芳 line=service")
            == ["OK wang.fang name=王芳 role=rep dept=SH line=service"])
        #expect(try await admin.request("USER SET wang.fang line=service") == ["OK wang.fang name=王芳 role=rep dept=SH line=service unchanged"])
        #expect(try await admin.request("USER LIST dept=SH").contains { $0.contains("login=wang.fang name=王芳 dept=SH role=rep line=service") })

        // Another department: li.na's customer and dossier stay in SH, with a successor.
        #expect(try await admin.request("USER SET li.na dept=BJ") == [
            "ERR CONFLICT li.na owns 1 customer(s) and 1 dossier(s) of SH; they stay in SH (records belong to their department): "
                + "add successor=<login of SH> to hand them over (a recorded handover)",
        ])
        #expect(try await admin.request("USER SET li.na dept=BJ successor=zhao.lei")
            == ["ERR CONFLICT the successor must work in the user's present department"])
        #expect(try await admin.request("USER SET li.na dept=BJ successor=arc.sh")
            == ["ERR ARGS invalid successor: must be a rep, manager or director"])
        #expect(try await admin.request("USER SET li.na dept=XX successor=wang.fang") == ["ERR NOTFOUND no department XX"])
        #expect(try await admin.request("USER SET li.na dept=BJ successor=wang.fang")
            == ["OK li.na name=li.na role=rep dept=BJ line=sales handover=H1 customers=1 dossiers=1"])
        // The move takes effect at li.na's next command, on the open connection.
        #expect(try await rep.request("WHOAMI") == ["OK li.na role=rep dept=BJ"])
        #expect(try await rep.request("DOSSIER SHOW \(number)").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await company.client("wang.fang").request("DOSSIER SHOW \(number)").last == "OK 1")
        let handover = try await admin.request("HANDOVER SHOW H1")
        #expect(handover.first?.hasPrefix("* id=H1 occasion=transfer leaver=li.na successor=wang.fang dept=SH to_dept=BJ ") == true,
                "\(handover)")

        // A role that owns nothing.
        #expect(try await admin.request("USER SET arc.sh role=auditor")
            == ["OK arc.sh name=arc.sh role=auditor dept=SH line=sales customers=0 dossiers=0"])
        #expect(try await admin.request("USER SET wang.fang role=archivist").first?.hasPrefix(
            "ERR CONFLICT wang.fang owns 1 customer(s) and 1 dossier(s) of SH; a archivist owns no customers or dossiers") == true)

        // The last administrator stays one; a bad login is NOTFOUND; only admins change users.
        #expect(try await admin.request("USER SET admin role=rep") == ["ERR CONFLICT admin is the last active administrator"])
        #expect(try await admin.request("USER SET nobody name=x") == ["ERR NOTFOUND no user nobody"])
        #expect(try await company.client("mgr.sh").request("USER SET wang.fang role=manager") == ["ERR DENIED USER SET is not for role manager"])
        let audit = try server.database.admin().query(
            "SELECT target, detail FROM dossier.audit_log WHERE action = 'user.set' ORDER BY id").rows.map {
                "\(try $0.decode("target", as: String.self)): \(try $0.decode("detail", as: String.self))"
            }
        #expect(audit == ["wang.fang: name, line sales -> service", "li.na: dept SH -> BJ", "arc.sh: role archivist -> auditor"])
        try await server.shutdown()
    }

    @Test func calendarRangesDeletionAndYears() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let admin = try await server.admin()
        #expect(try await admin.request("CALENDAR SET 2027-02-06..2027-02-12 holiday note=春节") == ["OK 7"])
        #expect(try await admin.request("CALENDAR SET 2027-02-14 workday note=调休") == ["OK"])
        let february = try await company.client("li.na").request("CALENDAR LIST month=2027-02")
        #expect(february.count == 9)
        #expect(february.first == "* date=2027-02-06 kind=holiday note=春节")
        #expect(february[7] == "* date=2027-02-14 kind=workday note=调休")
        #expect(try await admin.request("CALENDAR DELETE 2027-02-12") == ["OK 1"])
        #expect(try await admin.request("CALENDAR DELETE 2027-02-12") == ["ERR NOTFOUND no calendar entry in 2027-02-12"])
        #expect(try await admin.request("CALENDAR LIST year=2027").last == "OK 7")
        #expect(try await admin.request("CALENDAR DELETE 2027-02-01..2027-02-28") == ["OK 7"])
        #expect(try await admin.request("CALENDAR LIST year=2027") == ["OK 0"])
        // Without month= or year=: this year, in the company's time zone.
        let today = try #require(try await admin.request("COMPANY SHOW").first?.firstMatch(of: /today=(\d{4}-\d\d-\d\d)/)?.1)
        #expect(try await admin.request("CALENDAR SET \(today) holiday note=测试") == ["OK"])
        #expect(try await admin.request("CALENDAR LIST") == ["* date=\(today) kind=holiday note=测试", "OK 1"])
        #expect(try await company.client("li.na").request("CALENDAR DELETE \(today)") == ["ERR DENIED CALENDAR DELETE is not for role rep"])
        let audit = try server.database.admin().query(
            "SELECT action || ' ' || target FROM dossier.audit_log WHERE action LIKE 'calendar.%' ORDER BY id").rows.map {
                try $0.decode(0, as: String.self)
            }
        #expect(audit.prefix(3) == ["calendar.set 2027-02-06..2027-02-12", "calendar.set 2027-02-14", "calendar.delete 2027-02-12"])
        try await server.shutdown()
    }

    @Test func customerFindPagesWithACursor() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        for n in 1...4 {
            #expect(try await rep.request("CUSTOMER NEW name=华信分公司\(n)").first?.hasPrefix("OK C-") == true)
        }
        // 华信贸易 (C-2026-00001) and the four new ones.
        let first = try await rep.request("CUSTOMER FIND 华信 limit=2")
        #expect(first.count == 3)
        let cursor = String(try #require(first.last?.firstMatch(of: /^OK 2 next=(C-\S+)$/)?.1, "\(first)"))
        let second = try await rep.request("CUSTOMER FIND 华信 limit=2 after=\(cursor)")
        #expect(second.count == 3 && second.last?.hasPrefix("OK 2 next=") == true, "\(second)")
        let cursor2 = String(try #require(second.last?.firstMatch(of: /next=(C-\S+)$/)?.1))
        let third = try await rep.request("CUSTOMER FIND 华信 limit=2 after=\(cursor2)")
        #expect(third.count == 2 && third.last == "OK 1", "\(third)")
        let all = try await rep.request("CUSTOMER FIND 华信")
        #expect(all.dropLast() == (first.dropLast() + second.dropLast() + third.dropLast()))
        #expect(all.last == "OK 5")
        #expect(try await rep.request("CUSTOMER FIND 华信 after=nonsense") == ["ERR ARGS invalid after: expected the next= cursor of a previous listing"])
        #expect(try await rep.request("CUSTOMER FIND \(String(repeating: "华", count: 101))")
            == ["ERR ARGS invalid text: must be 1 to 100 characters"])
        try await server.shutdown()
    }

    // MARK: Point 7

    @Test func duplicateCustomerNamesAreRefusedUnlessSaidSo() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let refusal = "ERR CONFLICT duplicate of C-2026-00001 (same name); add duplicate=yes to create another customer of this name"
        #expect(try await rep.request("CUSTOMER NEW name=华信贸易") == [refusal])
        // Trimmed, full-width folded (the ideographic space too): still the same name.
        #expect(try await rep.request("CUSTOMER NEW name=\"\u{3000}华信贸易 \"") == [refusal])
        // Another department's customer counts too: the directory is company-wide.
        #expect(try await company.client("zhao.lei").request("CUSTOMER NEW name=华信贸易") == [refusal])
        let abc = try #require(try await rep.request("CUSTOMER NEW name=\"ABC (上海) Co.\"").first?.firstMatch(of: /^OK (C-\S+)$/)?.1)
        #expect(try await rep.request("CUSTOMER NEW name=\"ＡＢＣ　（上海）　ｃｏ．\"")
            == ["ERR CONFLICT duplicate of \(abc) (same name); add duplicate=yes to create another customer of this name"])
        let again = try await rep.request("CUSTOMER NEW name=华信贸易 duplicate=yes")
        let second = String(try #require(again.first?.firstMatch(of: /^OK (C-\S+)$/)?.1, "\(again)"))
        #expect(try await rep.request("CUSTOMER NEW name=华信贸易")
            == ["ERR CONFLICT duplicate of C-2026-00001, \(second) (same name); add duplicate=yes to create another customer of this name"])
        // A different name is not a duplicate.
        #expect(try await rep.request("CUSTOMER NEW name=华信贸易二部").first?.hasPrefix("OK C-") == true)
        try await server.shutdown()
    }

    @Test func typosAndInputMethodsOverTheWire() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        #expect(try await rep.request("DOSIER LIST") == ["ERR UNKNOWN no such verb; did you mean DOSSIER LIST? (HELP lists every verb)"])
        #expect(try await rep.request("LOAN SHWO L1")
            == ["ERR UNKNOWN LOAN needs one of: REQUEST, CHECKOUT, RETURN, EXTEND, SHOW, LIST; did you mean LOAN SHOW?"])
        // What a Chinese input method types: “…” and ＝.
        let created = try await rep.request("DOSSIER NEW customer\u{FF1D}C-2026-00001 category=HT title=\u{201C}合同 二期\u{201D}")
        let ref = String(try #require(created.first?.firstMatch(of: /^OK (D\d+)$/)?.1, "\(created)"))
        #expect(try await rep.request("DOSSIER SHOW \(ref)").first?.contains(" title=\"合同 二期\" ") == true)
        #expect(try await rep.request("DOSSIER NEW customer=C-2026-00001 category=HT title=\u{201C}合同")
            == ["ERR SYNTAX unterminated quote"])
        try await server.shutdown()
    }
}
