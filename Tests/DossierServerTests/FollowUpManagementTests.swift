import DossierDomain
import DossierServer
import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 15, what follow-up visits lacked after 0060: templates planned
/// automatically by customer kind/grade (FOLLOWUP AUTO), the visit history in
/// CUSTOMER SHOW, reassigning (FOLLOWUP ASSIGN) and cancelling (FOLLOWUP
/// CANCEL) a visit; and inspections that leave top_secret dossiers to those
/// who see them — over the protocol, as a rep, a manager, an admin and an
/// archivist.
@Suite struct FollowUpManagementTests {
    func visits(_ sql: PostgresConnection, _ customer: String) throws -> [String] {
        try sql.query("""
            SELECT f.template || '/' || f.step_no || ' ' || u.login || ' ' || p.login || ' ' || to_char(f.due_on, 'YYYY-MM-DD') AS v
              FROM dossier.followups f JOIN dossier.customers c ON c.id = f.customer_id
              JOIN dossier.users u ON u.id = f.assignee_id JOIN dossier.users p ON p.id = f.planned_by
             WHERE c.number = $1::text ORDER BY f.id
            """, [customer]).rows.map { try $0.decode("v", as: String.self) }
    }

    // MARK: Point 1: automatic plans

    @Test func templatesArePlannedAutomaticallyByKindAndGrade() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let today = try companyToday(sql)
        let admin = try await server.admin()
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")

        // The administrator configures; nobody else; bad combinations are argument errors.
        #expect(try await rep.request("FOLLOWUP AUTO bought yes grade=VIP") == ["ERR DENIED FOLLOWUP AUTO is not for role rep"])
        #expect(try await admin.request("FOLLOWUP AUTO nope yes") == ["ERR NOTFOUND no follow-up template nope"])
        #expect(try await admin.request("FOLLOWUP AUTO bought no grade=VIP") == ["ERR ARGS invalid grade: only when switching on (yes)"])
        #expect(try await admin.request("FOLLOWUP AUTO bought yes grade=VIP") == ["OK bought auto=yes kind=any grade=VIP"])
        // Working days: two holidays after today move the second visit.
        let holidays = [try #require(today.adding(days: 1)), try #require(today.adding(days: 2))]
        #expect(try await admin.request("CALENDAR SET \(holidays[0])..\(holidays[1]) holiday note=测试").last?.hasPrefix("OK") == true)
        #expect(try await admin.request("FOLLOWUP TEMPLATE big_b days=1,2 unit=workday summary=大客户") == ["OK big_b created"])
        #expect(try await admin.request("FOLLOWUP AUTO big_b yes kind=company grade=B") == ["OK big_b auto=yes kind=company grade=B"])
        let templates = try await rep.request("FOLLOWUP TEMPLATES")
        #expect(templates.contains { $0.hasPrefix("* name=bought ") && $0.hasSuffix(" auto=yes auto_kind=any auto_grade=VIP") }, "\(templates)")
        #expect(templates.contains { $0.hasPrefix("* name=big_b ") && $0.hasSuffix(" auto=yes auto_kind=company auto_grade=B") }, "\(templates)")
        #expect(templates.contains { $0.hasPrefix("* name=not_bought ") && $0.hasSuffix(" auto=no auto_kind=\"\" auto_grade=\"\"") }, "\(templates)")

        // CUSTOMER NEW of a VIP: the owner's visits, planned in the same command, as FOLLOWUP PLAN would.
        let vip = try #require(try await rep.request("CUSTOMER NEW name=贵宾客户 grade=VIP").first?.firstMatch(of: /^OK (C-\S+)$/)?.1)
        let dues = try sql.query("""
            SELECT string_agg(to_char(dossier.followup_due(current_date, o, 'day'), 'YYYY-MM-DD'), ',' ORDER BY o) AS d
              FROM unnest('{3,30,60}'::int[]) o
            """).firstRow().decode("d", as: String.self).split(separator: ",").map(String.init)
        #expect(try visits(sql, String(vip)) == dues.enumerated().map { "bought/\($0.offset + 1) li.na li.na \($0.element)" })
        let listed = try await rep.request("FOLLOWUP LIST customer=\(vip)")
        #expect(listed.last == "OK 3" && listed[0].contains(" assignee=li.na due=\(dues[0]) status=due plan=bought/1 "), "\(listed)")
        // A customer of another grade gets none; a company of grade B its working-day plan, by
        // the calendar (the holidays skipped), for its owner, planned by the manager who created it.
        let plain = try #require(try await rep.request("CUSTOMER NEW name=普通客户 grade=A").first?.firstMatch(of: /^OK (C-\S+)$/)?.1)
        #expect(try visits(sql, String(plain)).isEmpty)
        let big = try #require(try await manager.request("CUSTOMER NEW name=大客户 grade=B owner=wang.fang").first?.firstMatch(of: /^OK (C-\S+)$/)?.1)
        let calendar = WorkingCalendar(exceptions: Dictionary(uniqueKeysWithValues: holidays.map { ($0, CalendarDayKind.holiday) }))
        let expected = try #require(FollowUpSchedule.dues(from: today, offsets: [1, 2], unit: .workday, calendar: calendar))
        #expect(try visits(sql, String(big)) == expected.enumerated().map { "big_b/\($0.offset + 1) wang.fang mgr.sh \($0.element)" })

        // A customer changing into VIP (the owner's change, approved by the manager) gets the plan in
        // the approving command; changing out and back in while they are open plans nothing twice.
        let asked = try await rep.request("CUSTOMER SET C-2026-00001 grade=VIP reason=升级")
        let approval = String(try #require(asked.first?.firstMatch(of: /^OK (A\d+) pending$/)?.1, "\(asked)"))
        #expect(try visits(sql, "C-2026-00001").isEmpty)
        #expect(try await manager.request("APPROVE \(approval)").first?.hasPrefix("OK \(approval) approved") == true)
        #expect(try visits(sql, "C-2026-00001") == dues.enumerated().map { "bought/\($0.offset + 1) li.na mgr.sh \($0.element)" })
        #expect(try await manager.request("CUSTOMER SET C-2026-00001 grade=A reason=降级").first?.hasSuffix(" applied") == true)
        #expect(try await manager.request("CUSTOMER SET C-2026-00001 grade=VIP reason=再升级").first?.hasSuffix(" applied") == true)
        #expect(try visits(sql, "C-2026-00001").count == 3)
        // Another office's customer changing into VIP: planned for its own owner.
        #expect(try await company.client("mgr.bj").request("CUSTOMER SET C-2026-00002 grade=VIP reason=升级").first?.hasSuffix(" applied") == true)
        #expect(try visits(sql, "C-2026-00002").count == 3)
        #expect(try visits(sql, "C-2026-00002").allSatisfy { $0.hasPrefix("bought/") && $0.contains(" zhao.lei mgr.bj ") })

        // Switched off: new VIPs get nothing.
        #expect(try await admin.request("FOLLOWUP AUTO bought no") == ["OK bought auto=no"])
        let later = try #require(try await rep.request("CUSTOMER NEW name=后来的贵宾 grade=VIP").first?.firstMatch(of: /^OK (C-\S+)$/)?.1)
        #expect(try visits(sql, String(later)).isEmpty)

        // Audited: the configuration and each automatic plan.
        let audit = try sql.query("""
            SELECT action || ' ' || target || ' ' || detail AS a FROM dossier.audit_log
             WHERE action IN ('followup.auto', 'followup.plan') ORDER BY id
            """).rows.map { try $0.decode("a", as: String.self) }
        #expect(audit.filter { $0.hasPrefix("followup.auto ") }.count == 3, "\(audit)")
        #expect(audit.contains { $0.hasPrefix("followup.plan \(vip) template=bought assignee=li.na visits=V1,V2,V3 auto=yes") }, "\(audit)")
        #expect(audit.filter { $0.hasPrefix("followup.plan ") }.count == 4, "\(audit)")
        try await server.shutdown()
    }

    @Test func theImportPlansLikeCustomerNew() throws {
        let setup = try TransferTests.setUp()
        defer { setup.close() }
        try setup.admin.query("UPDATE dossier.followup_templates SET auto = true, auto_grade = 'A' WHERE name = 'not_bought'")
        let outcome = try CustomerImport.run(bytes: Array(TransferTests.chineseList(1...2).utf8), encoding: .utf8, dryRun: false,
                                             as: "rep.sh", fileName: "客户.csv", personalData: .test, on: setup.daemon)
        #expect(outcome.committed && outcome.errors.isEmpty, "\(outcome.errors)")
        #expect(try setup.count("""
            SELECT count(*) FROM dossier.followups f JOIN dossier.customers c ON c.id = f.customer_id
              JOIN dossier.users u ON u.id = f.assignee_id
             WHERE c.number = ANY ('{\(outcome.numbers.joined(separator: ","))}'::text[])
               AND u.login = 'rep.sh' AND f.planned_by = u.id AND f.template = 'not_bought'
            """) == 4)
        #expect(try setup.count("SELECT count(*) FROM dossier.audit_log WHERE action = 'followup.plan' AND detail LIKE '% auto=yes'") == 2)
        // A dry run plans nothing (it rolls back with the customers).
        let dry = try CustomerImport.run(bytes: Array(TransferTests.chineseList(3...3).utf8), encoding: .utf8, dryRun: true,
                                         as: "rep.sh", fileName: "客户.csv", personalData: .test, on: setup.daemon)
        #expect(!dry.committed)
        #expect(try setup.count("SELECT count(*) FROM dossier.followups") == 4)
    }

    // MARK: Point 2: CUSTOMER SHOW

    @Test func customerShowCarriesTheVisitHistory() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let today = try companyToday(sql)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")

        let before = try await rep.request("CUSTOMER SHOW C-2026-00001")
        #expect(before.count == 2 && !before[0].contains("visits_done="), "\(before)")
        let plan = try await rep.request("FOLLOWUP PLAN C-2026-00001 template=not_bought from=\(try #require(today.adding(days: -10)))")
        #expect(plan.last == "OK 2", "\(plan)")
        let secondDue = try #require(dataValue("due", plan[1]))
        let overdue = try await rep.request("CUSTOMER SHOW C-2026-00001")
        #expect(overdue[0].hasPrefix(before[0]), "\(overdue)")
        #expect(overdue[0].hasSuffix(" visits_done=0 last_visit=\"\" last_method=\"\" last_satisfaction=\"\" next_visit=V1 next_due=\(try #require(dataValue("due", plan[0]))) next_assignee=li.na visits_overdue=1"), "\(overdue)")
        #expect(try await rep.request("FOLLOWUP RECORD V1 method=phone outcome=已联系 satisfaction=4") == ["OK V1 late=yes"])
        #expect(try await manager.request("FOLLOWUP ASSIGN V2 assignee=wang.fang") == ["OK V2 assignee=wang.fang"])
        let suffix = " visits_done=1 last_visit=\(today) last_method=phone last_satisfaction=4 next_visit=V2 next_due=\(secondDue) next_assignee=wang.fang visits_overdue=0"
        for login in ["li.na", "mgr.sh", "arc.sh", "dir"] {
            let shown = try await company.client(login).request("CUSTOMER SHOW C-2026-00001")
            #expect(shown.count == 2 && shown[0].hasSuffix(suffix), "\(login): \(shown)")
        }
        // Same visibility as the customer's details: the assignee of a visit who does not see the
        // details, another office and the auditor see the directory entry only, no visits.
        for login in ["wang.fang", "zhao.lei", "aud"] {
            let shown = try await company.client(login).request("CUSTOMER SHOW C-2026-00001")
            #expect(shown.count == 2 && !shown[0].contains("visits_done=") && !shown[0].contains("V2"), "\(login): \(shown)")
        }
        // A cancelled visit is not next.
        #expect(try await rep.request("FOLLOWUP CANCEL V2 reason=客户已搬迁") == ["OK V2 cancelled"])
        #expect(try await rep.request("CUSTOMER SHOW C-2026-00001")[0].hasSuffix(" visits_done=1 last_visit=\(today) last_method=phone last_satisfaction=4 next_visit=\"\" next_due=\"\" next_assignee=\"\" visits_overdue=0"))
        try await server.shutdown()
    }

    // MARK: Point 3: reassigning and cancelling

    @Test func aManagerReassignsAndTheOwnerCancels() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let today = try companyToday(sql)
        let rep = try await company.client("li.na")
        let otherRep = try await company.client("wang.fang")
        let manager = try await company.client("mgr.sh")
        let admin = try await server.admin()

        #expect(try await rep.request("FOLLOWUP PLAN C-2026-00001 template=not_bought from=\(try #require(today.adding(days: -10)))").last == "OK 2")
        #expect(try await rep.request("FOLLOWUP ADD C-2026-00001 due=\(today)") == ["OK V3"])

        // Reassigning: the department's manager (or a director), to someone of the customer's department.
        #expect(try await rep.request("FOLLOWUP ASSIGN V1 assignee=wang.fang") == ["ERR DENIED FOLLOWUP ASSIGN is not for role rep"])
        #expect(try await company.client("arc.sh").request("FOLLOWUP ASSIGN V1 assignee=wang.fang") == ["ERR DENIED FOLLOWUP ASSIGN is not for role archivist"])
        #expect(try await company.client("mgr.bj").request("FOLLOWUP ASSIGN V1 assignee=zhao.lei") == ["ERR NOTFOUND no visit V1"])
        #expect(try await manager.request("FOLLOWUP ASSIGN V1") == ["ERR ARGS missing argument: assignee"])
        #expect(try await manager.request("FOLLOWUP ASSIGN V99 assignee=wang.fang") == ["ERR NOTFOUND no visit V99"])
        #expect(try await manager.request("FOLLOWUP ASSIGN V1 assignee=nobody") == ["ERR NOTFOUND no user nobody"])
        #expect(try await manager.request("FOLLOWUP ASSIGN V1 assignee=zhao.lei") ==
                ["ERR ARGS invalid assignee: must be a rep, manager or director of the customer's department"])
        #expect(try await manager.request("FOLLOWUP ASSIGN V1 assignee=li.na") == ["ERR CONFLICT V1 is assigned to li.na already"])
        #expect(try await manager.request("FOLLOWUP ASSIGN V1 assignee=wang.fang reason=李娜休假") == ["OK V1 assignee=wang.fang"])
        // The overdue visit moved to wang.fang's TODO, the manager is told it is his now.
        #expect(try await otherRep.request("TODO").contains { $0.contains("what=followup target=V1 ") && $0.hasSuffix("verb=\"FOLLOWUP RECORD V1\"") })
        #expect(!(try await rep.request("TODO")).contains { $0.contains("target=V1 ") })
        #expect(try await manager.request("TODO").contains { $0.contains("target=V1 ") && $0.contains("wang.fang has not recorded") })
        #expect(try await rep.request("FOLLOWUP RECORD V1 method=phone outcome=x") == ["ERR DENIED only the assignee wang.fang records V1"])

        // Cancelling: the customer's owner, the manager, a director; with a reason; an open visit only.
        #expect(try await otherRep.request("FOLLOWUP CANCEL V1 reason=不去了") ==
                ["ERR DENIED only the customer's owner, the department's manager or a director cancels V1"])
        #expect(try await company.client("arc.sh").request("FOLLOWUP CANCEL V1 reason=x") == ["ERR DENIED FOLLOWUP CANCEL is not for role archivist"])
        #expect(try await admin.request("FOLLOWUP CANCEL V1 reason=x") == ["ERR DENIED FOLLOWUP CANCEL is not for role admin"])
        #expect(try await company.client("zhao.lei").request("FOLLOWUP CANCEL V1 reason=x") == ["ERR NOTFOUND no visit V1"])
        #expect(try await rep.request("FOLLOWUP CANCEL V2") == ["ERR ARGS missing argument: reason"])
        #expect(try await rep.request("FOLLOWUP CANCEL V2 reason=客户已搬迁") == ["OK V2 cancelled"])
        #expect(try await manager.request("FOLLOWUP CANCEL V1 reason=客户不需要回访") == ["OK V1 cancelled"])
        #expect(try await rep.request("FOLLOWUP CANCEL V2 reason=again") == ["ERR CONFLICT V2 is cancelled"])
        #expect(try await manager.request("FOLLOWUP ASSIGN V2 assignee=wang.fang") == ["ERR CONFLICT V2 is cancelled"])
        #expect(try await otherRep.request("FOLLOWUP RECORD V1 method=phone outcome=x") == ["ERR CONFLICT V1 is cancelled"])
        #expect(try await rep.request("FOLLOWUP RECORD V3 method=visit outcome=已上门") == ["OK V3 late=no"])
        #expect(try await rep.request("FOLLOWUP CANCEL V3 reason=x") == ["ERR CONFLICT V3 is recorded already"])
        #expect(try await manager.request("FOLLOWUP ASSIGN V3 assignee=wang.fang") == ["ERR CONFLICT V3 is recorded already"])

        // Listed when asked for; never overdue, never in TODO, never fined.
        #expect(try await rep.request("FOLLOWUP LIST customer=C-2026-00001").last == "OK 1")
        #expect(try await rep.request("FOLLOWUP LIST status=overdue") == ["OK 0"])
        let cancelled = try await rep.request("FOLLOWUP LIST status=cancelled")
        #expect(cancelled.count == 3 && cancelled.last == "OK 2", "\(cancelled)")
        #expect(cancelled[0].hasPrefix("* visit=V1 ") && cancelled[0].contains(" status=cancelled ")
                && cancelled[0].hasSuffix(" cancelled_by=mgr.sh cancel_reason=客户不需要回访"), "\(cancelled)")
        #expect(cancelled[1].hasPrefix("* visit=V2 ") && cancelled[1].hasSuffix(" cancelled_by=li.na cancel_reason=客户已搬迁"), "\(cancelled)")
        for client in [rep, otherRep, manager] {
            #expect(!(try await client.request("TODO")).contains { $0.contains("what=followup") })
        }
        #expect(try await admin.request("PENALTY AUTO LATE_FOLLOWUP yes") == ["OK LATE_FOLLOWUP auto=yes"])
        _ = try await company.client("aud").request("PENALTY SWEEP")
        #expect(try sql.query("SELECT count(*)::int8 AS n FROM dossier.penalties WHERE rule_code = 'LATE_FOLLOWUP'")
            .firstRow().decode("n", as: Int64.self) == 0)

        // A director reassigns anywhere; the history is audited.
        #expect(try await rep.request("FOLLOWUP ADD C-2026-00001 due=\(today)") == ["OK V4"])
        #expect(try await company.client("dir").request("FOLLOWUP ASSIGN V4 assignee=mgr.sh") == ["OK V4 assignee=mgr.sh"])
        let audit = try sql.query("""
            SELECT action || ' ' || target || ' ' || purpose || ' ' || detail AS a FROM dossier.audit_log
             WHERE action IN ('followup.assign', 'followup.cancel') ORDER BY id
            """).rows.map { try $0.decode("a", as: String.self) }
        #expect(audit == [
            "followup.assign V1 李娜休假 C-2026-00001 from=li.na to=wang.fang",
            "followup.cancel V2 客户已搬迁 C-2026-00001 assignee=li.na",
            "followup.cancel V1 客户不需要回访 C-2026-00001 assignee=wang.fang",
            "followup.assign V4  C-2026-00001 from=li.na to=mgr.sh",
        ], "\(audit)")

        // Behind the verbs: a cancelled visit is final, and a rep reassigns nothing.
        let daemon = try server.database.daemon()
        defer { daemon.close() }
        func asUser(_ login: String, _ change: String) throws {
            let id = try sql.query("SELECT id FROM dossier.users WHERE login = $1::text", [login]).firstRow().decode("id", as: Int64.self)
            try daemon.transaction { connection in
                _ = try connection.query("SELECT * FROM dossier.begin_command($1::int8)", [id])
                let changed = try connection.query("UPDATE dossier.followups SET \(change)")
                if changed.affectedRows == 0 { throw PostgresError(kind: .client, message: "no row changed") }
            }
        }
        #expect(throws: PostgresError.self) {
            try asUser("li.na", "status = 'open', cancelled_by = NULL, cancelled_at = NULL, cancel_reason = NULL WHERE id = 2")
        }
        #expect(throws: PostgresError.self) {
            try asUser("li.na", "assignee_id = (SELECT id FROM dossier.users WHERE login = 'wang.fang') WHERE id = 4")
        }
        // A manager's reassignment carries nothing else with it.
        #expect(throws: PostgresError.self) {
            try asUser("mgr.sh", "assignee_id = (SELECT id FROM dossier.users WHERE login = 'li.na'), outcome = 'x' WHERE id = 4")
        }
        #expect(throws: PostgresError.self) {
            try asUser("mgr.sh", "assignee_id = (SELECT id FROM dossier.users WHERE login = 'li.na'), cancel_reason = 'x' WHERE id = 4")
        }
        try asUser("mgr.sh", "assignee_id = (SELECT id FROM dossier.users WHERE login = 'li.na') WHERE id = 4")
        try await server.shutdown()
    }

    /// Nobody visits a customer the company no longer works with: CUSTOMER CLOSE
    /// cancels its open visits in the closer's name (whoever they are assigned
    /// to), audited as FOLLOWUP CANCEL; recorded visits stay as they were.
    @Test func closingACustomerCancelsItsOpenVisits() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let today = try companyToday(sql)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        #expect(try await rep.request("FOLLOWUP PLAN C-2026-00001 template=bought").last == "OK 3")
        #expect(try await rep.request("FOLLOWUP ADD C-2026-00001 due=\(today)") == ["OK V4"])
        #expect(try await rep.request("FOLLOWUP RECORD V4 method=phone outcome=已联系") == ["OK V4 late=no"])
        #expect(try await manager.request("FOLLOWUP ASSIGN V2 assignee=wang.fang") == ["OK V2 assignee=wang.fang"])
        #expect(try await rep.request("CUSTOMER CLOSE C-2026-00001 date=\(today) reason=终止合作") == ["OK cancelled=V1,V2,V3"])
        let open = try await rep.request("FOLLOWUP LIST customer=C-2026-00001 status=due")
        #expect(open == ["OK 0"], "\(open)")
        let cancelled = try await rep.request("FOLLOWUP LIST customer=C-2026-00001 status=cancelled")
        #expect(cancelled.count == 4 && cancelled.dropLast().allSatisfy {
            $0.contains("cancelled_by=li.na cancel_reason=\"the customer was closed on \(today)\"") }, "\(cancelled)")
        #expect(try await rep.request("FOLLOWUP LIST customer=C-2026-00001 status=done").last == "OK 1")
        #expect(try await company.client("wang.fang").request("TODO").allSatisfy { !$0.contains("V2") })
        #expect(try sql.query("SELECT count(*) FROM dossier.audit_log WHERE action = 'followup.cancel'").rows[0].decode(0, as: Int64.self) == 3)
        // The reason follows the session's language.
        #expect(try await rep.request("LANG zh-CN") == ["OK"])
        #expect(try await rep.request("FOLLOWUP LIST customer=C-2026-00001 status=cancelled").first?
            .contains("cancel_reason=\"客户已于 \(today) 终止合作\"") == true)
        // A customer without open visits closes as before.
        #expect(try await company.client("zhao.lei").request("CUSTOMER CLOSE C-2026-00002 date=\(today) reason=x") == ["OK"])
        try await server.shutdown()
    }

    @Test func theNewVerbsSpeakChinese() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        #expect(try await rep.request("FOLLOWUP ADD C-2026-00001 due=\(try companyToday(sql))") == ["OK V1"])
        for client in [rep, manager] { #expect(try await client.request("LANG zh-CN") == ["OK"]) }
        #expect(try await manager.request("FOLLOWUP ASSIGN V1 assignee=li.na") == ["ERR CONFLICT V1 已经指派给 li.na"])
        #expect(try await company.client("wang.fang").request("FOLLOWUP CANCEL V1 reason=x") ==
                ["ERR NOTFOUND no visit V1"])
        #expect(try await rep.request("FOLLOWUP CANCEL V1") == ["ERR ARGS 缺少参数：reason"])
        #expect(try await rep.request("FOLLOWUP CANCEL V1 reason=客户已搬迁") == ["OK V1 cancelled"])
        #expect(try await manager.request("FOLLOWUP ASSIGN V1 assignee=wang.fang") == ["ERR CONFLICT V1 已取消"])
        #expect(try await rep.request("FOLLOWUP ASSIGN V1 assignee=wang.fang") == ["ERR DENIED FOLLOWUP ASSIGN 不对角色 rep 开放"])
        let help = try await rep.request("HELP FOLLOWUP CANCEL")
        #expect(help.count == 2 && help[0].hasSuffix("summary=取消未完成的回访，并说明原因（客户负责人、经理）。"), "\(help)")
        let admin = try await server.admin()
        #expect(try await admin.request("LANG zh-CN") == ["OK"])
        #expect(try await admin.request("FOLLOWUP AUTO bought no kind=person") == ["ERR ARGS kind 无效：仅在开启（yes）时使用"])
        try await server.shutdown()
    }

    // MARK: Point 4: inspections and top_secret dossiers

    @Test func inspectionsLeaveTopSecretDossiersToThoseWhoSeeThem() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let archivist = try await company.client("arc.sh")
        let secret = try await company.filedNumber(rep, extra: "level=top_secret location=A-01-1")
        let plain = try await company.filedNumber(rep, extra: "location=A-01-2")

        // The archivist neither expects it, nor can check it, nor learns it exists.
        #expect(try await archivist.request("INSPECTION OPEN location=A-01") == ["OK I1 expected=1"])
        let refused = try await archivist.request("INSPECTION CHECK \(secret) present")
        #expect(refused == ["ERR NOTFOUND no dossier \(secret)"], "\(refused)")
        #expect(try await archivist.request("INSPECTION CHECK \(plain) present") == ["OK \(plain) present"])
        #expect(try await archivist.request("INSPECTION CLOSE") ==
                ["OK 0 I1 checked=1 present=1 moved=0 missing=0 damaged=0 on_loan=0 unchecked=0"])
        // Nor does the report call it unchecked for those who see it: a director, its owner's manager.
        for login in ["dir", "mgr.sh", "arc.sh"] {
            let report = try await company.client(login).request("INSPECTION SHOW I1")
            #expect(report == ["* ref=\(plain) finding=present register_location=A-01-2 found_location=\"\" holder=\"\" checked_by=arc.sh note=\"\"", "OK 1"],
                    "\(login): \(report)")
        }
        // Nothing about it in anyone's TODO either.
        #expect(!(try await company.client("mgr.sh").request("TODO")).contains { $0.contains(secret) })
        #expect(!(try await company.client("dir").request("TODO")).contains { $0.contains("what=inspection") })
        try await server.shutdown()
    }
}
