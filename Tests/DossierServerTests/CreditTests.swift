import DossierDomain
import DossierStore
import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 15, credit management (客户信用档案): rating and limit through
/// approved customer changes, arrears, payments oldest due first, repayment
/// plans with instalments, the over_limit/overdue flags in CUSTOMER SHOW,
/// CUSTOMER LIST flag= and TODO, visibility as the customer's details — over
/// the protocol.
@Suite struct CreditTests {
    func count(_ sql: PostgresConnection, _ table: String) throws -> Int64 {
        try sql.query("SELECT count(*)::int8 AS n FROM dossier.\(table)").firstRow().decode("n", as: Int64.self)
    }

    @Test func aCustomersCreditStory() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let today = try companyToday(sql)
        func day(_ offset: Int) throws -> CalendarDate { try #require(today.adding(days: offset)) }
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")

        // 1. The limit and the rating: the owner asks, the manager approves, history keeps both.
        let asked = try await rep.request("CUSTOMER SET C-2026-00001 credit_limit=5000 credit_rating=A reason=年审评价")
        let approval = try #require(asked.first?.firstMatch(of: /^OK (A\d+) pending$/)?.1, "\(asked)")
        #expect(try await rep.request("CREDIT SHOW C-2026-00001").first?.contains(" rating=\"\" limit=\"\" ") == true)
        #expect(try await manager.request("APPROVE \(approval)") == ["OK \(approval) approved"])
        var shown = try await rep.request("CREDIT SHOW C-2026-00001")
        #expect(shown.first == "* customer=C-2026-00001 name=华信贸易 owner=li.na dept=SH rating=A limit=5000.00 outstanding=0.00 "
                    + "overdue=0.00 oldest_overdue=\"\" flags=\"\"", "\(shown)")
        #expect(shown.contains { $0.hasPrefix("* change=credit_limit ") && $0.contains(" old=\"\" new=5000.00 reason=年审评价 by=li.na approved_by=mgr.sh approval=\(approval)") }, "\(shown)")
        #expect(shown.contains { $0.hasPrefix("* change=credit_rating ") && $0.contains(" new=A ") }, "\(shown)")

        // 2. Arrears: one forty days overdue, one due next month; the second puts the customer over its limit.
        #expect(try await rep.request("CREDIT ARREARS C-2026-00001 amount=3000 due=\(try day(-40)) note=十月货款") ==
                ["OK R1 outstanding=3000.00 over_limit=no overdue=yes"])
        #expect(try await rep.request("CREDIT ARREARS C-2026-00001 amount=2500.5 due=\(try day(30))") ==
                ["OK R2 outstanding=5500.50 over_limit=yes overdue=yes"])
        #expect(try await rep.request("CUSTOMER SHOW C-2026-00001").first?.hasSuffix(" flags=over_limit,overdue") == true)
        #expect(try await rep.request("CUSTOMER LIST flag=over_limit") == ["* id=C-2026-00001 name=华信贸易 owner=li.na dept=SH grade=\"\" region=\"\"", "OK 1"])
        #expect(try await rep.request("CUSTOMER LIST flag=overdue").last == "OK 1")
        #expect(try await company.client("dir").request("CUSTOMER LIST flag=overdue").last == "OK 1")
        #expect(try await company.client("zhao.lei").request("CUSTOMER LIST flag=overdue") == ["OK 0"])
        let overdue = try await manager.request("CREDIT LIST status=overdue")
        #expect(overdue == ["* receivable=R1 customer=C-2026-00001 name=华信贸易 kind=arrear plan=\"\" amount=3000.00 paid=0.00 "
                            + "open=3000.00 due=\(try day(-40)) status=overdue days_overdue=40 note=十月货款", "OK 1"], "\(overdue)")

        // In TODO of the owner and of the department's manager, not of a colleague or another office.
        let fortyDaysAgo = try day(-40)
        let tenDaysAgo = try day(-10)
        for client in [rep, manager] {
            let todo = try await client.request("TODO")
            #expect(todo.contains { $0.hasPrefix("* urgency=overdue ") && $0.contains(" what=credit target=C-2026-00001 ")
                                    && $0.contains("over_limit, overdue (outstanding 5500.50, limit 5000.00, overdue 3000.00 since \(fortyDaysAgo))")
                                    && $0.hasSuffix("verb=\"CREDIT SHOW C-2026-00001\"") }, "\(todo)")
        }
        #expect(!(try await company.client("wang.fang").request("TODO")).contains { $0.contains("what=credit") })
        #expect(!(try await company.client("mgr.bj").request("TODO")).contains { $0.contains("what=credit") })

        // 3. A payment settles the oldest due first.
        #expect(try await rep.request("CREDIT PAY C-2026-00001 amount=1000 note=转账") ==
                ["OK RC1 applied=R1:1000.00 outstanding=4500.50 over_limit=no overdue=yes"])

        // 4. The manager's repayment plan: the open arrears into three monthly instalments, the first ten days ago.
        #expect(try await rep.request("CREDIT PLAN C-2026-00001 instalments=3 first=\(try day(-10))") ==
                ["ERR DENIED CREDIT PLAN is not for role rep"])
        let plan = try await manager.request("CREDIT PLAN C-2026-00001 instalments=3 first=\(try day(-10)) every=month note=延期还款协议")
        let schedule = try #require(InstalmentSchedule.instalments(total: Money("4500.50")!, count: 3, first: try day(-10), every: .month))
        #expect(plan == schedule.enumerated().map { index, instalment in
            "* instalment=R\(index + 3) no=\(instalment.number) due=\(instalment.due) amount=\(instalment.amount)"
        } + ["OK 3 plan=RP1"], "\(plan)")
        #expect(schedule.map(\.amount.description) == ["1500.16", "1500.16", "1500.18"])
        let list = try await rep.request("CREDIT LIST customer=C-2026-00001")
        #expect(list.count == 6, "\(list)")
        #expect(list.contains { $0.hasPrefix("* receivable=R1 ") && $0.contains(" paid=1000.00 open=0.00 ") && $0.contains(" status=planned ") }, "\(list)")
        #expect(list.contains { $0.hasPrefix("* receivable=R3 ") && $0.contains(" kind=instalment plan=RP1/1 ") && $0.contains(" status=overdue days_overdue=10 ") }, "\(list)")
        // The plan is broken (its first instalment is overdue): overdue stays, over_limit is gone.
        shown = try await manager.request("CREDIT SHOW C-2026-00001")
        #expect(shown.first?.contains(" outstanding=4500.50 overdue=1500.16 oldest_overdue=\(try day(-10)) flags=overdue") == true, "\(shown)")
        #expect(shown.contains { $0.hasPrefix("* plan=RP1 amount=4500.50 instalments=3 first=\(tenDaysAgo) every=month open=4500.50 status=broken by=mgr.sh") }, "\(shown)")
        #expect(shown.contains("* payment=RC1 date=\(today) amount=1000.00 applied=R1:1000.00 by=li.na note=转账"), "\(shown)")
        #expect(try await rep.request("CUSTOMER LIST flag=over_limit") == ["OK 0"])
        #expect(try await rep.request("CUSTOMER SHOW C-2026-00001").first?.hasSuffix(" flags=overdue") == true)

        // 5. Paying the overdue instalment clears the flag, TODO and the broken plan.
        #expect(try await rep.request("CREDIT PAY R3 amount=1500.16") ==
                ["OK RC2 applied=R3:1500.16 outstanding=3000.34 over_limit=no overdue=no"])
        #expect(try await rep.request("CUSTOMER SHOW C-2026-00001").first?.hasSuffix(" flags=\"\"") == true)
        #expect(try await rep.request("CUSTOMER LIST flag=overdue") == ["OK 0"])
        #expect(!(try await rep.request("TODO")).contains { $0.contains("what=credit") })
        #expect(!(try await manager.request("TODO")).contains { $0.contains("what=credit") })
        shown = try await manager.request("CREDIT SHOW C-2026-00001")
        #expect(shown.contains { $0.hasPrefix("* plan=RP1 ") && $0.contains(" open=3000.34 status=active ") }, "\(shown)")
        // The rest, paid by the customer number, settles the instalments in order.
        #expect(try await rep.request("CREDIT PAY C-2026-00001 amount=3000.34 date=\(today)") ==
                ["OK RC3 applied=R4:1500.16,R5:1500.18 outstanding=0.00 over_limit=no overdue=no"])
        #expect(try await rep.request("CREDIT LIST status=open") == ["OK 0"])
        #expect(try await rep.request("CREDIT LIST status=paid").last == "OK 3")
        shown = try await manager.request("CREDIT SHOW C-2026-00001")
        #expect(shown.contains { $0.hasPrefix("* plan=RP1 ") && $0.contains(" open=0.00 status=done ") }, "\(shown)")

        // Every change is audited.
        let audit = try await company.client("aud").request("AUDIT LIST limit=100")
        for (action, target) in [("credit.arrears", "R1"), ("credit.arrears", "R2"), ("credit.pay", "RC1"), ("credit.plan", "RP1"),
                                 ("credit.pay", "RC2"), ("credit.pay", "RC3")] {
            #expect(audit.contains { $0.contains("action=\(action)") && $0.contains("target=\(target) ") }, "\(action) \(target)")
        }
        try await server.shutdown()
    }

    @Test func badInputIsRefusedAndChangesNothing() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let today = try companyToday(sql)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let amount = "ERR ARGS invalid amount: expected an amount in yuan from 0.01 to 1000000000.00, at most two decimals"
        for bad in ["0", "0.00", "-5", "1.234", "1000000000.01", "99999999999999", "abc", "1,000", "1e3"] {
            #expect(try await rep.request("CREDIT ARREARS C-2026-00001 amount=\(bad) due=\(today)") == [amount], "\(bad)")
            #expect(try await rep.request("CREDIT PAY C-2026-00001 amount=\(bad)") == [amount], "\(bad)")
        }
        #expect(try await rep.request("CREDIT ARREARS C-2026-00001 amount=1000000000 due=2000-01-01") ==
                ["ERR ARGS invalid due: 2000-01-01 is more than ten years from today"])
        #expect(try await rep.request("CREDIT ARREARS C-2026-00001 amount=10 due=2026-02-30") ==
                ["ERR ARGS invalid due: expected a date YYYY-MM-DD"])
        #expect(try await rep.request("CREDIT ARREARS C-2026-00001 amount=10") == ["ERR ARGS missing argument: due"])
        #expect(try await rep.request("CREDIT ARREARS C-2099-00001 amount=10 due=\(today)") == ["ERR NOTFOUND no customer C-2099-00001"])
        #expect(try await rep.request("CREDIT PAY C-2026-00001 amount=10") == ["ERR CONFLICT nothing is open on C-2026-00001"])
        #expect(try await rep.request("CREDIT PAY R1 amount=10") == ["ERR NOTFOUND no receivable R1"])
        #expect(try await rep.request("CREDIT PAY X1 amount=10") ==
                ["ERR ARGS invalid target: expected a customer number C-YYYY-NNNNN or a receivable id R<n>"])
        #expect(try await manager.request("CREDIT PLAN C-2026-00001 instalments=3 first=\(today)") ==
                ["ERR CONFLICT C-2026-00001 has no open arrears to plan"])

        #expect(try await rep.request("CREDIT ARREARS C-2026-00001 amount=100 due=\(today)").first?.hasPrefix("OK R1 ") == true)
        let before = try ["credit_receivables", "credit_payments", "credit_plans", "credit_settlements", "audit_log"].map { try count(sql, $0) }
        let tomorrow = try #require(today.adding(days: 1))
        #expect(try await rep.request("CREDIT PAY C-2026-00001 amount=100.01") ==
                ["ERR CONFLICT amount 100.01 exceeds the 100.00 open on C-2026-00001"])
        #expect(try await rep.request("CREDIT PAY R1 amount=100.01") == ["ERR CONFLICT amount 100.01 exceeds the 100.00 open on R1"])
        #expect(try await rep.request("CREDIT PAY R1 amount=1 date=\(tomorrow)") == ["ERR ARGS invalid date: \(tomorrow) is in the future"])
        #expect(try await manager.request("CREDIT PLAN C-2026-00001 instalments=3 first=\(today) amount=100.01") ==
                ["ERR CONFLICT amount 100.01 exceeds the 100.00 of open arrears of C-2026-00001"])
        #expect(try await manager.request("CREDIT PLAN C-2026-00001 instalments=3 first=\(today) amount=0.02") ==
                ["ERR ARGS invalid instalments: each instalment must be at least 0.01"])
        #expect(try await manager.request("CREDIT PLAN C-2026-00001 instalments=0 first=\(today)") ==
                ["ERR ARGS invalid instalments: must be a whole number from 1 to 120"])
        #expect(try await manager.request("CREDIT PLAN C-2026-00001 instalments=121 first=\(today)") ==
                ["ERR ARGS invalid instalments: must be a whole number from 1 to 120"])
        #expect(try await manager.request("CREDIT PLAN C-2026-00001 instalments=2 first=\(today) every=week") ==
                ["ERR ARGS invalid every: expected month or a number of days from 1 to 366 such as 30d"])
        #expect(try await manager.request("CREDIT PLAN C-2026-00001 instalments=2 first=\(today) every=0d") ==
                ["ERR ARGS invalid every: expected month or a number of days from 1 to 366 such as 30d"])
        #expect(try await manager.request("CREDIT PLAN C-2026-00001 instalments=2 first=2099-01-01") ==
                ["ERR ARGS invalid first: 2099-01-01 is more than ten years from today"])
        #expect(try await rep.request("CREDIT LIST status=late") ==
                ["ERR ARGS invalid status: expected one of due, overdue, paid, planned, open"])
        #expect(try await rep.request("CUSTOMER LIST flag=late") == ["ERR ARGS invalid flag: expected one of over_limit, overdue"])
        let after = try ["credit_receivables", "credit_payments", "credit_plans", "credit_settlements", "audit_log"].map { try count(sql, $0) }
        #expect(before == after)

        // Nobody rewrites a receivable behind the verbs: amount and due day are fixed, what was paid only grows.
        let repID = try sql.query("SELECT id FROM dossier.users WHERE login = 'li.na'").firstRow().decode("id", as: Int64.self)
        let daemon = try server.database.daemon()
        defer { daemon.close() }
        for change in ["amount_fen = 1", "due_on = due_on + 1", "paid_fen = -1", "paid_fen = 20000"] {
            #expect(throws: PostgresError.self, "\(change)") {
                try daemon.transaction { connection in
                    _ = try connection.query("SELECT * FROM dossier.begin_command($1::int8)", [repID])
                    try connection.query("UPDATE dossier.credit_receivables SET \(change) WHERE id = 1")
                }
            }
        }
        // A closed customer takes no new arrears.
        #expect(try await manager.request("CUSTOMER CLOSE C-2026-00001 date=\(today) reason=终止合作").first?.hasPrefix("OK") == true)
        #expect(try await rep.request("CREDIT ARREARS C-2026-00001 amount=10 due=\(today)") == ["ERR CONFLICT C-2026-00001 is closed"])
        // …but its debts can still be collected.
        #expect(try await rep.request("CREDIT PAY C-2026-00001 amount=100").first?.hasPrefix("OK RC1 applied=R1:100.00 ") == true)
        try await server.shutdown()
    }

    @Test func creditRecordsAreContentOfTheCustomer() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let today = try companyToday(sql)
        let rep = try await company.client("li.na")
        #expect(try await rep.request("CREDIT ARREARS C-2026-00001 amount=800 due=\(today)").first?.hasPrefix("OK R1 ") == true)
        #expect(try await company.client("zhao.lei").request("CREDIT ARREARS C-2026-00002 amount=50 due=\(today)").first?.hasPrefix("OK R2 ") == true)

        // The owner, the manager, the archivist of the office and directors see it.
        for login in ["li.na", "mgr.sh", "arc.sh", "dir"] {
            let client = try await company.client(login)
            #expect(try await client.request("CREDIT LIST customer=C-2026-00001").last == "OK 1", "\(login)")
            #expect(try await client.request("CREDIT SHOW C-2026-00001").first?.contains(" outstanding=800.00 ") == true, "\(login)")
        }
        #expect(try await company.client("dir").request("CREDIT LIST").last == "OK 2")
        // A colleague, another office and the auditor see the directory entry at most.
        for login in ["wang.fang", "zhao.lei", "mgr.bj", "aud"] {
            let client = try await company.client(login)
            #expect(try await client.request("CREDIT LIST customer=C-2026-00001") == ["OK 0"], "\(login)")
            #expect(try await client.request("CREDIT SHOW C-2026-00001") ==
                    ["ERR DENIED C-2026-00001: only the directory entry is visible to you"], "\(login)")
            #expect(try await client.request("CUSTOMER SHOW C-2026-00001").first?.contains("flags=") == false, "\(login)")
        }
        // Nor may they write: a receivable they cannot see does not exist for them.
        let colleague = try await company.client("wang.fang")
        #expect(try await colleague.request("CREDIT ARREARS C-2026-00001 amount=1 due=\(today)") ==
                ["ERR DENIED C-2026-00001: only the directory entry is visible to you"])
        #expect(try await colleague.request("CREDIT PAY C-2026-00001 amount=1") ==
                ["ERR DENIED C-2026-00001: only the directory entry is visible to you"])
        #expect(try await company.client("zhao.lei").request("CREDIT PAY R1 amount=1") == ["ERR NOTFOUND no receivable R1"])
        #expect(try await company.client("mgr.bj").request("CREDIT PLAN C-2026-00001 instalments=2 first=\(today)") ==
                ["ERR DENIED C-2026-00001: only the directory entry is visible to you"])
        #expect(try await company.client("arc.sh").request("CREDIT PAY R1 amount=1") == ["ERR DENIED CREDIT PAY is not for role archivist"])
        #expect(try await company.client("aud").request("CREDIT ARREARS C-2026-00001 amount=1 due=\(today)") ==
                ["ERR DENIED CREDIT ARREARS is not for role auditor"])
        // A director plans for any office.
        #expect(try await company.client("dir").request("CREDIT PLAN C-2026-00002 instalments=1 first=\(today)") ==
                ["* instalment=R3 no=1 due=\(today) amount=50.00", "OK 1 plan=RP1"])
        try await server.shutdown()
    }

    @Test func ageingAndLimitUseInTheReportViewsFollowTheBILoginsScope() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let today = try companyToday(sql)
        let rep = try await company.client("li.na")
        #expect(try await company.client("mgr.sh").request("CUSTOMER SET C-2026-00001 credit_limit=10000 reason=授信").first?.hasSuffix(" applied") == true)
        // One receivable per bucket edge: current, 10 and 30 days (0–30), 31 (31–60), 75 (61–90), 91 (90+).
        for (days, amount) in [(0, "100"), (10, "200"), (30, "300"), (31, "400"), (75, "500"), (91, "600")] {
            let due = try #require(today.adding(days: -days))
            #expect(try await rep.request("CREDIT ARREARS C-2026-00001 amount=\(amount) due=\(due)").first?.hasPrefix("OK R") == true)
        }
        let longAgo = try #require(today.adding(days: -200))
        #expect(try await company.client("zhao.lei").request("CREDIT ARREARS C-2026-00002 amount=50 due=\(longAgo)") ==
                ["OK R7 outstanding=50.00 over_limit=yes overdue=yes"])
        // 50 paid: off the oldest, the 91-day one.
        #expect(try await rep.request("CREDIT PAY C-2026-00001 amount=50").first?.hasPrefix("OK RC1 applied=R6:50.00 ") == true)

        let (department, whole) = try server.database.biLogins(createdBy: sql, timeZone: "Asia/Shanghai")
        defer { department.close(); whole.close() }
        func lines(_ connection: PostgresConnection, _ query: String) throws -> [String] {
            try connection.query(query).rows.map { try $0.decode(0, as: String.self) }
        }
        let ageing = """
            SELECT concat_ws(' ', department, not_due, overdue_0_30, overdue_31_60, overdue_61_90, overdue_90_plus, overdue_total,
                             outstanding_total, overdue_receivables) FROM report.arrears_ageing ORDER BY department
            """
        #expect(try lines(department, ageing) == ["SH 100.00 500.00 400.00 500.00 550.00 1950.00 2050.00 5"])
        #expect(try lines(whole, ageing) == ["BJ 50.00 50.00 50.00 1",
                                             "SH 100.00 500.00 400.00 500.00 550.00 1950.00 2050.00 5"])
        let buckets = try lines(department, "SELECT receivable || ' ' || ageing || ' ' || days_overdue FROM report.credit_receivables ORDER BY receivable")
        #expect(buckets == ["R1 current 0", "R2 0_30 10", "R3 0_30 30", "R4 31_60 31", "R5 61_90 75", "R6 90_plus 91"])

        let limits = """
            SELECT concat_ws(' ', department, customer, credit_limit, outstanding, overdue, limit_use_pct, over_limit, has_overdue)
              FROM report.credit_limits ORDER BY customer
            """
        #expect(try lines(department, limits) == ["SH C-2026-00001 10000.00 2050.00 1950.00 20.5 f t"])
        #expect(try lines(whole, limits) == ["SH C-2026-00001 10000.00 2050.00 1950.00 20.5 f t",
                                             "BJ C-2026-00002 50.00 50.00 t t"])
        let use = """
            SELECT concat_ws(' ', department, customers, customers_with_limit, credit_limit_total, outstanding_total, limit_use_pct,
                             over_limit_customers, overdue_customers) FROM report.credit_limit_use ORDER BY department
            """
        #expect(try lines(department, use) == ["SH 1 1 10000.00 2050.00 20.5 0 1"])
        #expect(try lines(whole, use) == ["BJ 1 0 50.00 1 1", "SH 1 1 10000.00 2050.00 20.5 0 1"])
        // The tables themselves follow the same policies.
        for (connection, expected) in [(department, Int64(6)), (whole, Int64(7))] {
            #expect(try connection.query("SELECT count(*)::int8 AS n FROM dossier.credit_receivables").firstRow().decode("n", as: Int64.self) == expected)
        }
        #expect(try department.query("SELECT count(*)::int8 AS n FROM dossier.credit_payments").firstRow().decode("n", as: Int64.self) == 1)

        // The SQL bucket and the domain's agree around every edge.
        for offset in -3...125 {
            let due = try #require(today.adding(days: -offset))
            let bucket = try sql.query("SELECT dossier.credit_ageing_bucket($1::date, $2::date) AS b", [due.description, today.description])
                .firstRow().decode("b", as: String.self)
            #expect(bucket == ArrearsAgeing.bucket(due: due, today: today).rawValue, "\(offset) days")
        }
        try await server.shutdown()
    }
}
