import DossierDomain
import DossierStore
import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 15, follow-up visits (回访): templates as rows, plans on the working-day
/// calendar, visibility as the customer's details, overdue visits in TODO, the
/// optional LATE_FOLLOWUP penalty — over the protocol.
@Suite struct FollowUpTests {
    @Test func templatesAreRowsTheAdministratorEdits() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let admin = try await server.admin()
        let rep = try await company.client("li.na")
        #expect(try await rep.request("FOLLOWUP TEMPLATES") == [
            "* name=bought unit=day days=3,30,60 summary=\"购买顾客：3 日内、30 日内、60 日内回访\" auto=no auto_kind=\"\" auto_grade=\"\"",
            "* name=bought_15 unit=day days=15,30,60 summary=\"购买顾客（另一方案）：15 日、30 日、60 日内回访\" auto=no auto_kind=\"\" auto_grade=\"\"",
            "* name=not_bought unit=day days=3,15 summary=\"未购买顾客：3 日内、15 日内回访\" auto=no auto_kind=\"\" auto_grade=\"\"",
            "OK 3",
        ])
        #expect(try await rep.request("FOLLOWUP TEMPLATE vip days=1,7") == ["ERR DENIED FOLLOWUP TEMPLATE is not for role rep"])
        #expect(try await admin.request("FOLLOWUP TEMPLATE vip days=1,7 unit=workday summary=VIP客户") == ["OK vip created"])
        #expect(try await admin.request("FOLLOWUP TEMPLATE not_bought days=3,15,45") == ["OK not_bought changed"])
        let list = try await rep.request("FOLLOWUP TEMPLATES")
        #expect(list.contains("* name=not_bought unit=day days=3,15,45 summary=\"未购买顾客：3 日内、15 日内回访\" auto=no auto_kind=\"\" auto_grade=\"\""), "\(list)")
        #expect(list.contains("* name=vip unit=workday days=1,7 summary=VIP客户 auto=no auto_kind=\"\" auto_grade=\"\""), "\(list)")
        #expect(try await rep.request("FOLLOWUP PLAN C-2026-00001 template=nope") == ["ERR NOTFOUND no follow-up template nope"])
        try await server.shutdown()
    }

    @Test func plansFallOnTheWorkingDayCalendarAsTheDomainSays() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let admin = try await server.admin()
        let rep = try await company.client("li.na")
        // 国庆 2026: 10-01 … 10-07 off, Saturday 10-10 worked (调休).
        #expect(try await admin.request("CALENDAR SET 2026-10-01..2026-10-07 holiday note=国庆") == ["OK 7"])
        #expect(try await admin.request("CALENDAR SET 2026-10-10 workday note=调休").last?.hasPrefix("OK") == true)
        #expect(try await admin.request("FOLLOWUP TEMPLATE quick days=1,3 unit=workday") == ["OK quick created"])
        let calendar = WorkingCalendar(exceptions: Dictionary(uniqueKeysWithValues:
            (1...7).map { (CalendarDate(year: 2026, month: 10, day: $0)!, CalendarDayKind.holiday) }
            + [(CalendarDate("2026-10-10")!, .workday)]))

        let bought = try await rep.request("FOLLOWUP PLAN C-2026-00001 template=bought from=2026-09-28")
        #expect(bought.count == 4 && bought.last == "OK 3", "\(bought)")
        let expected = try #require(FollowUpSchedule.dues(from: CalendarDate("2026-09-28")!, offsets: [3, 30, 60], unit: .day,
                                                          calendar: calendar))
        #expect(bought.dropLast().compactMap { dataValue("due", $0) } == expected.map(\.description))
        #expect(expected.map(\.description) == ["2026-10-08", "2026-10-28", "2026-11-27"])
        #expect(bought[0].hasPrefix("* visit=V1 step=1 due=2026-10-08"), "\(bought)")

        let quick = try await rep.request("FOLLOWUP PLAN C-2026-00001 template=quick from=2026-09-30")
        #expect(quick.dropLast().compactMap { dataValue("due", $0) } == ["2026-10-08", "2026-10-10"], "\(quick)")
        // The same template twice while its visits are open is a mistake.
        #expect(try await rep.request("FOLLOWUP PLAN C-2026-00001 template=bought") ==
                ["ERR CONFLICT C-2026-00001 has 3 open visit(s) of template bought"])

        // The SQL function and the domain agree over a span of plan days and offsets.
        let sql = try server.database.admin()
        defer { sql.close() }
        for offset in [1, 2, 3, 5, 15] {
            for unit in FollowUpSchedule.Unit.allCases {
                let rows = try sql.query("""
                    SELECT to_char(d, 'YYYY-MM-DD') AS plan, to_char(dossier.followup_due(d, $1::int4, $2::text), 'YYYY-MM-DD') AS due
                      FROM generate_series('2026-09-24'::date, '2026-10-12'::date, interval '1 day') AS g(d0)
                     CROSS JOIN LATERAL (SELECT g.d0::date AS d) x
                    """, [offset, unit.rawValue]).rows
                for row in rows {
                    let plan = try #require(CalendarDate(try row.decode("plan", as: String.self)))
                    let due = try row.decode("due", as: String.self)
                    #expect(FollowUpSchedule.due(from: plan, offset: offset, unit: unit, calendar: calendar)?.description == due,
                            "\(plan) +\(offset) \(unit)")
                }
            }
        }
        try await server.shutdown()
    }

    @Test func visitsAreContentOfTheCustomer() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let today = try companyToday(sql)
        let rep = try await company.client("li.na")
        let otherRep = try await company.client("wang.fang")
        let manager = try await company.client("mgr.sh")

        #expect(try await rep.request("FOLLOWUP PLAN C-2026-00001 template=not_bought").last == "OK 2")
        // Planning needs the customer: another rep of the office, another office, the auditor.
        #expect(try await otherRep.request("FOLLOWUP PLAN C-2026-00001 template=bought") ==
                ["ERR DENIED C-2026-00001: only the directory entry is visible to you"])
        #expect(try await otherRep.request("FOLLOWUP ADD C-2026-00001 due=\(today)") ==
                ["ERR DENIED C-2026-00001: only the directory entry is visible to you"])
        #expect(try await rep.request("FOLLOWUP ADD C-2026-00001 due=\(today) assignee=wang.fang") ==
                ["ERR DENIED a rep plans visits only for themselves"])
        #expect(try await rep.request("FOLLOWUP ADD C-2026-00001 due=\(today) assignee=zhao.lei") ==
                ["ERR ARGS invalid assignee: must be a rep, manager or director of the customer's department"])
        #expect(try await rep.request("FOLLOWUP ADD C-2026-00001 due=2020-01-01") == ["ERR ARGS invalid due: 2020-01-01 is in the past"])
        // Ten years off is a typo (as CREDIT's dates), for a visit and for a plan's start.
        #expect(try await rep.request("FOLLOWUP ADD C-2026-00001 due=9999-12-31") == ["ERR ARGS invalid due: 9999-12-31 is more than ten years from today"])
        #expect(try await rep.request("FOLLOWUP PLAN C-2026-00001 template=bought from=2062-01-01") ==
                ["ERR ARGS invalid from: 2062-01-01 is more than ten years from today"])
        #expect(try await rep.request("FOLLOWUP ADD C-2026-00002 due=\(today)") ==
                ["ERR DENIED C-2026-00002: only the directory entry is visible to you"])

        // The manager assigns one visit of li.na's customer to wang.fang.
        let assigned = try await manager.request("FOLLOWUP ADD C-2026-00001 due=\(today) assignee=wang.fang note=介绍新品")
        #expect(assigned == ["OK V3"])

        // Who sees what: the owner, the manager, the archivist and directors all three; the
        // assignee of one only that one; another office, the auditor nothing.
        for login in ["li.na", "mgr.sh", "arc.sh", "dir"] {
            #expect(try await company.client(login).request("FOLLOWUP LIST").last == "OK 3", "\(login)")
        }
        let own = try await otherRep.request("FOLLOWUP LIST")
        #expect(own.count == 2 && own[0].hasPrefix("* visit=V3 customer=C-2026-00001 name=华信贸易 assignee=wang.fang due=\(today) status=due plan=\"\" note=介绍新品"), "\(own)")
        for login in ["zhao.lei", "mgr.bj", "aud"] {
            #expect(try await company.client(login).request("FOLLOWUP LIST") == ["OK 0"], "\(login)")
            #expect(try await company.client(login).request("FOLLOWUP LIST customer=C-2026-00001") == ["OK 0"], "\(login)")
        }
        #expect(try await company.client("zhao.lei").request("FOLLOWUP LIST customer=C-2099-00001") == ["ERR NOTFOUND no customer C-2099-00001"])

        // Recording: only the assignee, once.
        #expect(try await rep.request("FOLLOWUP RECORD V3 method=phone outcome=x") == ["ERR DENIED only the assignee wang.fang records V3"])
        #expect(try await company.client("zhao.lei").request("FOLLOWUP RECORD V3 method=phone outcome=x") == ["ERR NOTFOUND no visit V3"])
        #expect(try await otherRep.request("FOLLOWUP RECORD V3 method=visit outcome=\"客户满意，询问新品\" satisfaction=5 objection=价格偏高") ==
                ["OK V3 late=no"])
        #expect(try await otherRep.request("FOLLOWUP RECORD V3 method=phone outcome=again") == ["ERR CONFLICT V3 is recorded already"])
        let history = try await rep.request("FOLLOWUP LIST customer=C-2026-00001 status=done")
        #expect(history.count == 2 && history[0].contains(" status=done ") && history[0].contains(" method=visit visited=\(today) satisfaction=5 outcome=客户满意，询问新品 objection=价格偏高 recorded_by=wang.fang"), "\(history)")
        // Nobody rewrites a visit behind the verb: the plan is fixed, a record is final.
        let assigneeID = try sql.query("SELECT id FROM dossier.users WHERE login = 'wang.fang'").firstRow().decode("id", as: Int64.self)
        let daemon = try server.database.daemon()
        defer { daemon.close() }
        for change in ["due_on = due_on + 1", "outcome = 'changed'"] {
            #expect(throws: PostgresError.self, "\(change)") {
                try daemon.transaction { connection in
                    _ = try connection.query("SELECT * FROM dossier.begin_command($1::int8)", [assigneeID])
                    try connection.query("UPDATE dossier.followups SET \(change) WHERE id = 3")
                }
            }
        }

        // Every change is audited.
        let audit = try await company.client("aud").request("AUDIT LIST limit=50")
        for action in ["followup.plan", "followup.add", "followup.record"] {
            #expect(audit.contains { $0.contains("action=\(action)") }, "\(action)")
        }
        try await server.shutdown()
    }

    @Test func overdueVisitsWaitInTodoAndMayBeFined() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let today = try companyToday(sql)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let admin = try await server.admin()

        // A plan made ten days ago: the 3-day visit is overdue, the 15-day one still due.
        let from = try #require(today.adding(days: -10))
        let plan = try await rep.request("FOLLOWUP PLAN C-2026-00001 template=not_bought from=\(from)")
        #expect(plan.last == "OK 2", "\(plan)")
        let firstDue = try #require(dataValue("due", plan[0]))
        #expect(try await rep.request("FOLLOWUP LIST status=overdue").count == 2)
        #expect(try await rep.request("FOLLOWUP LIST status=due").count == 2)

        let repTodo = try await rep.request("TODO")
        #expect(repTodo.contains { $0.hasPrefix("* urgency=overdue ") && $0.contains("what=followup target=V1 ")
                                   && $0.hasSuffix("verb=\"FOLLOWUP RECORD V1\"") }, "\(repTodo)")
        let managerTodo = try await manager.request("TODO")
        #expect(managerTodo.contains { $0.hasPrefix("* urgency=overdue ") && $0.contains("what=followup target=V1 ")
                                       && $0.contains("li.na has not recorded the visit due \(firstDue)")
                                       && $0.hasSuffix("verb=\"FOLLOWUP LIST assignee=li.na status=overdue\"") }, "\(managerTodo)")
        #expect(!managerTodo.contains { $0.contains("target=V2 ") }, "\(managerTodo)")
        #expect(try await company.client("mgr.bj").request("TODO") == ["OK 0"])

        // LATE_FOLLOWUP ships switched off: the sweep charges nothing for the visit.
        let rules = try await rep.request("PENALTY RULES")
        #expect(rules.contains { $0.hasPrefix("* code=LATE_FOLLOWUP amount=20.00 min=20.00 max=20.00 auto=no ") }, "\(rules)")
        let auditor = try await company.client("aud")
        _ = try await auditor.request("PENALTY SWEEP")
        func charged() throws -> Int {
            try sql.query("SELECT count(*)::int8 AS n FROM dossier.penalties WHERE rule_code = 'LATE_FOLLOWUP'")
                .firstRow().decode("n", as: Int.self)
        }
        #expect(try charged() == 0)

        // Switched on by the administrator: one occurrence for the due day, one more each
        // working day after it up to yesterday (the days that have ended).
        #expect(try await rep.request("PENALTY AUTO LATE_FOLLOWUP yes") == ["ERR DENIED PENALTY AUTO is not for role rep"])
        #expect(try await admin.request("PENALTY AUTO LATE_FOLLOWUP yes") == ["OK LATE_FOLLOWUP auto=yes"])
        #expect(try await admin.request("PENALTY AUTO NO_SUCH_RULE yes") == ["ERR NOTFOUND no penalty rule NO_SUCH_RULE"])
        _ = try await auditor.request("PENALTY SWEEP")
        let expected = try sql.query("""
            SELECT 1 + dossier.working_days_between($1::date, current_date - 1) AS n
            """, [firstDue]).firstRow().decode("n", as: Int.self)
        #expect(try charged() == expected)
        _ = try await auditor.request("PENALTY SWEEP")
        #expect(try charged() == expected)
        let penalties = try await rep.request("PENALTY LIST user=li.na")
        #expect(penalties.contains { $0.contains(" rule=LATE_FOLLOWUP ") && $0.contains(" occurred=\(firstDue) ") }, "\(penalties)")

        // Recording the visit ends it: no more occurrences, and TODO is clear of it.
        #expect(try await rep.request("FOLLOWUP RECORD V1 method=phone outcome=已联系") == ["OK V1 late=yes"])
        #expect(!(try await rep.request("TODO")).contains { $0.contains("target=V1 ") })
        #expect(!(try await manager.request("TODO")).contains { $0.contains("target=V1 ") })
        _ = try await auditor.request("PENALTY SWEEP")
        #expect(try charged() == expected)
        #expect(try await admin.request("PENALTY AUTO LATE_FOLLOWUP no") == ["OK LATE_FOLLOWUP auto=no"])
        try await server.shutdown()
    }

    @Test func reportViewsFollowTheBILoginsScope() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let today = try companyToday(sql)
        let rep = try await company.client("li.na")
        #expect(try await rep.request("FOLLOWUP PLAN C-2026-00001 template=not_bought from=\(try #require(today.adding(days: -10)))").last == "OK 2")
        #expect(try await rep.request("FOLLOWUP RECORD V1 method=phone outcome=已联系 satisfaction=4") == ["OK V1 late=yes"])
        #expect(try await company.client("zhao.lei").request("FOLLOWUP ADD C-2026-00002 due=\(today)") == ["OK V3"])
        let (department, whole) = try server.database.biLogins(createdBy: sql, timeZone: "Asia/Shanghai")
        defer { department.close(); whole.close() }
        func visits(_ connection: PostgresConnection) throws -> [String] {
            try connection.query("SELECT visit || ' ' || department || ' ' || status || ' ' || late::text AS v FROM report.followups ORDER BY visit")
                .rows.map { try $0.decode("v", as: String.self) }
        }
        #expect(try visits(department) == ["V1 SH done true", "V2 SH due false"])
        #expect(try visits(whole) == ["V1 SH done true", "V2 SH due false", "V3 BJ due false"])
        let weekly = try department.query("""
            SELECT sum(planned)::int8 AS planned, sum(done)::int8 AS done, sum(done_late)::int8 AS late,
                   max(avg_satisfaction)::text AS satisfaction, count(DISTINCT department)::int8 AS departments
              FROM report.followups_weekly
            """).firstRow()
        #expect(try weekly.decode("planned", as: Int64.self) == 2)
        #expect(try weekly.decode("done", as: Int64.self) == 1)
        #expect(try weekly.decode("late", as: Int64.self) == 1)
        #expect(try weekly.decode("satisfaction", as: String.self) == "4.00")
        #expect(try weekly.decode("departments", as: Int64.self) == 1)
        // What was said stays out of the views, and the tables themselves follow the same policy.
        #expect(try whole.query("SELECT count(*)::int8 AS n FROM dossier.followups").firstRow().decode("n", as: Int64.self) == 3)
        #expect(try department.query("SELECT count(*)::int8 AS n FROM dossier.followups").firstRow().decode("n", as: Int64.self) == 2)
        try await server.shutdown()
    }
}
