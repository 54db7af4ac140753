import DossierDomain
import Foundation
import Postgres
import Testing
import TestSupport

/// `PENALTY SWEEP`: the automatic rules with the working-day calendar, checked
/// against `ViolationSchedule`; repeat escalation across a month boundary;
/// idempotence under reruns and two daemons sweeping at once.
@Suite struct PenaltySweepTests {
    /// Violations written directly, with the times they need.
    struct Seed {
        let sql: PostgresConnection

        /// A loan due at `due` (server time zone, `YYYY-MM-DD HH:MM`), still out or
        /// returned at `returned`; returns its id.
        @discardableResult
        func loan(borrower: String, due: String, returned: String? = nil) throws -> Int64 {
            let dossier = try sql.query("""
                INSERT INTO dossier.dossiers (dept_id, category, status, owner_id, number, filed_year, filed_seq, filed_at)
                SELECT u.dept_id, 'HT', 'on_loan', u.id, 'SH-HT-2025-' || lpad(n.s::text, 4, '0'), 2025, n.s, now()
                  FROM dossier.users u,
                       (SELECT coalesce(max(filed_seq), 0) + 1 AS s FROM dossier.dossiers WHERE filed_year = 2025) n
                 WHERE u.login = 'li.na'
                RETURNING id, dept_id
                """).rows[0]
            return try sql.query("""
                INSERT INTO dossier.loans (dossier_id, dept_id, borrower_id, purpose, mode, requested_duration, status,
                                           checked_out_at, due_at, returned_at, return_complete)
                SELECT $1::int8, $2::int8, u.id, 'test', 'takeout', interval '7 days',
                       CASE WHEN $5::text IS NULL THEN 'out' ELSE 'returned' END,
                       $3::timestamp::timestamptz - interval '7 days', $3::timestamp::timestamptz,
                       $5::timestamp::timestamptz, CASE WHEN $5::text IS NOT NULL THEN true END
                  FROM dossier.users u WHERE u.login = $4::text
                RETURNING id
                """, [try dossier.decode("id", as: Int64.self), try dossier.decode("dept_id", as: Int64.self), due, borrower,
                      returned])
                .rows[0].decode("id", as: Int64.self)
        }

        /// A dossier created at `created`, a draft never submitted or first
        /// submitted at `submitted` (its filing request then `status`, the dossier
        /// back to draft if that is `rejected`).
        @discardableResult
        func draft(owner: String, created: String, submitted: String? = nil, status: String = "pending") throws -> Int64 {
            let id = try sql.query("""
                INSERT INTO dossier.dossiers (dept_id, category, status, owner_id, created_at, submitted_at)
                SELECT u.dept_id, 'HT', CASE WHEN $3::text IS NULL OR $4::text = 'rejected' THEN 'draft' ELSE 'submitted' END,
                       u.id, $2::timestamp::timestamptz,
                       CASE WHEN $4::text = 'pending' THEN $3::timestamp::timestamptz END
                  FROM dossier.users u WHERE u.login = $1::text
                RETURNING id
                """, [owner, created, submitted, status]).rows[0].decode("id", as: Int64.self)
            if let submitted {
                try sql.query("""
                    INSERT INTO dossier.approvals (kind, status, dept_id, requester_id, dossier_id, step_count, created_at, decided_at)
                    SELECT 'file', $3::text, d.dept_id, d.owner_id, d.id, 1, $2::timestamp::timestamptz,
                           CASE WHEN $3::text <> 'pending' THEN $2::timestamp::timestamptz + interval '1 hour' END
                      FROM dossier.dossiers d WHERE d.id = $1::int8
                    """, [id, submitted, status])
            }
            return id
        }

        /// An open customer last updated at `updated`.
        @discardableResult
        func customer(owner: String, updated: String) throws -> Int64 {
            try sql.query("""
                INSERT INTO dossier.customers (number, name, owner_id, dept_id, created_at, updated_at)
                SELECT 'C-2025-' || lpad((SELECT count(*) + 1 FROM dossier.customers)::text, 5, '0'), '客户', u.id, u.dept_id,
                       $2::timestamp::timestamptz, $2::timestamp::timestamptz
                  FROM dossier.users u WHERE u.login = $1::text
                RETURNING id
                """, [owner, updated]).rows[0].decode("id", as: Int64.self)
        }

        func calendar(_ calendar: WorkingCalendar) throws {
            try sql.query("DELETE FROM dossier.calendar_days")
            for (day, kind) in calendar.exceptions {
                try sql.query("INSERT INTO dossier.calendar_days (day, kind) VALUES ($1::date, $2::text)", [day.description, kind.rawValue])
            }
        }

        /// Charged occurrence days per (rule, violation key).
        func charged() throws -> [String: [CalendarDate]] {
            var result: [String: [CalendarDate]] = [:]
            for row in try sql.query("""
                SELECT rule_code || ' ' || violation_key AS violation, to_char(occurred_on, 'YYYY-MM-DD') AS day
                  FROM dossier.penalties WHERE violation_key IS NOT NULL ORDER BY occurred_on
                """).rows {
                result[try row.decode("violation", as: String.self), default: []].append(CalendarDate(try row.decode("day", as: String.self))!)
            }
            return result
        }

        /// Every (user, month) has ordinals 1…n, each with the multiplier of `RepeatEscalation` and the amount it implies.
        func escalationIsConsistent() throws {
            for row in try sql.query("""
                SELECT p.user_id, p.month, p.staff_line,
                       string_agg(p.ordinal_in_month::text, ',' ORDER BY p.ordinal_in_month) AS ordinals,
                       string_agg(p.multiplier::text, ',' ORDER BY p.ordinal_in_month) AS multipliers,
                       bool_and(p.amount_fen = p.base_amount_fen * p.qty * p.multiplier) AS amounts,
                       min(m.violations) AS counted
                  FROM (SELECT *, date_trunc('month', occurred_on)::date AS month FROM dossier.penalties) p
                  LEFT JOIN dossier.penalty_month_counts m ON m.user_id = p.user_id AND m.month = p.month
                 GROUP BY 1, 2, 3
                """).rows {
                let line = StaffLine(rawValue: try row.decode("staff_line", as: String.self))!
                let ordinals = try row.decode("ordinals", as: String.self).split(separator: ",").map { Int($0)! }
                #expect(ordinals == Array(1...ordinals.count))
                #expect(try row.decode("counted", as: Int.self) == ordinals.count)
                #expect(try row.decode("multipliers", as: String.self)
                        == ordinals.map { String(RepeatEscalation.multiplier(ordinalInMonth: $0, line: line)) }.joined(separator: ","))
                #expect(try row.decode("amounts", as: Bool.self))
            }
        }
    }

    static func d(_ text: String) -> CalendarDate { CalendarDate(text)! }

    func sweep(_ client: LineClient, _ date: String) async throws -> Int {
        let answer = try await client.request("PENALTY SWEEP date=\(date)")
        return Int(try #require(answer.first?.firstMatch(of: /^OK (\d+)$/)?.1, "\(answer)"))!
    }

    /// The fixture's customers are closed, so that only what a test seeds can be stale.
    func company(_ server: TestServer) async throws -> Company {
        let company = try await Company(server)
        try server.database.admin().query("UPDATE dossier.customers SET closed_on = date '2020-01-01'")
        return company
    }

    /// The example of the issue: due Friday, Monday a holiday, swept Tuesday.
    @Test func loanDueFridaySweptTuesdayAfterAHolidayMonday() async throws {
        let server = try await TestServer()
        let company = try await company(server)
        #expect(try await server.admin().request("CALENDAR SET 2026-03-09 holiday note=测试") == ["OK"])
        let seed = Seed(sql: try server.database.admin())
        let loan = try seed.loan(borrower: "zhao.lei", due: "2026-03-06 17:00")
        let auditor = try await company.client("aud")
        #expect(try await company.client("li.na").request("PENALTY SWEEP") == ["ERR DENIED PENALTY SWEEP is not for role rep"])
        #expect(try await sweep(auditor, "2026-03-05") == 0)   // not due yet
        #expect(try await sweep(auditor, "2026-03-09") == 1)   // Friday; the weekend and the holiday do not count
        #expect(try await sweep(auditor, "2026-03-10") == 1)   // Tuesday ended uncorrected
        #expect(try await sweep(auditor, "2026-03-10") == 0)   // a rerun charges nothing
        #expect(try seed.charged() == ["OVERDUE_LOAN loan:\(loan)": [Self.d("2026-03-06"), Self.d("2026-03-10")]])
        let listed = try await company.client("zhao.lei").request("PENALTY LIST")
        #expect(listed == [
            "* id=P1 user=zhao.lei rule=OVERDUE_LOAN ref=L\(loan) occurred=2026-03-06 amount=20.00 status=charged dept=BJ base=20.00 qty=1 multiplier=1 ordinal=1",
            "* id=P2 user=zhao.lei rule=OVERDUE_LOAN ref=L\(loan) occurred=2026-03-10 amount=40.00 status=charged dept=BJ base=20.00 qty=1 multiplier=2 ordinal=2",
            "OK 2",
        ], "\(listed)")
        // Returned Wednesday morning: Wednesday did not end uncorrected; nothing more, however late the next sweep.
        try seed.sql.query("""
            UPDATE dossier.loans SET status = 'returned', returned_at = timestamp '2026-03-11 09:00', return_complete = true
            """)
        #expect(try await sweep(auditor, "2026-03-20") == 0)
        // One audit row per sweep, by the user who asked.
        let audited = try seed.sql.query("""
            SELECT count(*)::int8 AS n, min(login) AS login FROM dossier.audit_log WHERE action = 'penalty.sweep'
            """).rows[0]
        #expect(try audited.decode("n", as: Int.self) == 5)
        #expect(try audited.decode("login", as: String.self) == "aud")
        try await server.shutdown()
    }

    /// Many violations of all three rules on three calendars, swept as of
    /// several days: what is charged is exactly what `ViolationSchedule` says.
    @Test func sweepAgreesWithTheScheduleOnSeveralCalendars() async throws {
        let national: WorkingCalendar = {
            var exceptions: [CalendarDate: CalendarDayKind] = [:]
            for day in 1...7 { exceptions[CalendarDate(year: 2026, month: 10, day: day)!] = .holiday }
            exceptions[Self.d("2026-10-10")] = .workday
            return WorkingCalendar(exceptions: exceptions)
        }()
        let cases: [(start: CalendarDate, calendar: WorkingCalendar)] = [
            (Self.d("2026-03-02"), WorkingCalendar()),
            (Self.d("2026-03-02"), WorkingCalendar(exceptions: [Self.d("2026-03-09"): .holiday, Self.d("2026-03-14"): .workday])),
            (Self.d("2026-09-24"), national),
        ]
        for (start, calendar) in cases {
            let server = try await TestServer()
            let company = try await company(server)
            #expect(try await server.admin().request("USER ADD svc.sh name=服务 dept=SH role=rep line=service password=\(Company.password)") == ["OK svc.sh"])
            let seed = Seed(sql: try server.database.admin())
            try seed.calendar(calendar)
            var loans: [(key: String, due: CalendarDate, returned: CalendarDate?)] = []
            var drafts: [(key: String, created: CalendarDate, line: StaffLine, submitted: CalendarDate?)] = []
            var customers: [(key: String, updated: CalendarDate)] = []
            for offset in 0..<14 {
                let day = start.adding(days: offset)!
                // Every third loan was returned late, 0 to 3 days after its due day.
                let returned = offset % 3 == 1 ? day.adding(days: offset % 4)! : nil
                let loan = try seed.loan(borrower: offset % 2 == 0 ? "li.na" : "zhao.lei", due: "\(day) 10:00",
                                         returned: returned.map { "\($0) 15:00" })
                loans.append(("OVERDUE_LOAN loan:\(loan)", day, returned))
                // Every third draft was submitted, 0 to 5 days after its creation.
                let submitted = offset % 3 == 2 ? day.adding(days: offset % 6)! : nil
                for (owner, line) in [("li.na", StaffLine.sales), ("svc.sh", .service)] {
                    let draft = try seed.draft(owner: owner, created: "\(day) 09:00", submitted: submitted.map { "\($0) 11:00" })
                    drafts.append(("LATE_FILING dossier:\(draft)", day, line, submitted))
                }
                let updated = day.adding(days: -31)!
                customers.append(("STALE_CUSTOMER customer:\(try seed.customer(owner: "wang.fang", updated: "\(updated) 08:00"))", updated))
            }
            // Submitted in time, then rejected: back to draft, but it was submitted.
            try seed.draft(owner: "li.na", created: "\(start) 09:00", submitted: "\(start.adding(days: 1)!) 10:00", status: "rejected")
            let auditor = try await company.client("aud")
            for asOf in [3, 8, 12, 20].map({ start.adding(days: $0)! }) {
                _ = try await sweep(auditor, asOf.description)
                var expected: [String: [CalendarDate]] = [:]
                for loan in loans where loan.due <= asOf {
                    expected[loan.key] = ViolationSchedule.occurrenceDays(
                        firstDay: loan.due, lastCompletedDay: asOf, correctedOn: loan.returned, calendar: calendar)
                }
                for draft in drafts {
                    let days = ViolationSchedule.lateFilingDays(
                        createdOn: draft.created, line: draft.line, submittedOn: draft.submitted, lastCompletedDay: asOf, calendar: calendar)
                    if !days.isEmpty { expected[draft.key] = days }
                }
                for customer in customers {
                    guard let stale = ViolationSchedule.staleFrom(updatedOn: customer.updated), stale <= asOf else { continue }
                    expected[customer.key] = ViolationSchedule.occurrenceDays(firstDay: stale, lastCompletedDay: asOf, calendar: calendar)
                }
                let charged = try seed.charged()
                #expect(Set(charged.keys) == Set(expected.keys), "as of \(asOf)")
                for (key, days) in expected {
                    #expect(charged[key] == days, "\(key) as of \(asOf)")
                }
                try seed.escalationIsConsistent()
            }
            try await server.shutdown()
        }
    }

    /// From the 2nd violation of a sales user and the 3rd of a service user in
    /// a calendar month: counted per month of the occurrence, so February starts over.
    @Test func doublingForSalesAndServiceAcrossAMonthBoundary() async throws {
        let server = try await TestServer()
        let company = try await company(server)
        #expect(try await server.admin().request("USER ADD svc.sh name=服务 dept=SH role=rep line=service password=\(Company.password)") == ["OK svc.sh"])
        let seed = Seed(sql: try server.database.admin())
        // Due Thursday 01-29: occurrences 01-29, 01-30, then Monday 02-02 … Wednesday 02-04.
        let sales = try seed.loan(borrower: "li.na", due: "2026-01-29 10:00")
        let service = try seed.loan(borrower: "svc.sh", due: "2026-01-29 10:00")
        #expect(try await sweep(try await company.client("aud"), "2026-02-04") == 10)
        let amounts = try seed.sql.query("""
            SELECT loan_id, string_agg(to_char(occurred_on, 'MM-DD') || '=' || (amount_fen / 100), ' ' ORDER BY occurred_on) AS charged
              FROM dossier.penalties GROUP BY loan_id
            """).rows.reduce(into: [Int64: String]()) { $0[try $1.decode("loan_id", as: Int64.self)] = try $1.decode("charged", as: String.self) }
        #expect(amounts[sales] == "01-29=20 01-30=40 02-02=20 02-03=40 02-04=40")
        #expect(amounts[service] == "01-29=20 01-30=20 02-02=20 02-03=20 02-04=40")
        // February flags the service user's month (3 violations), not the sales user's.
        let report = try await company.client("aud").request("PENALTY REPORT month=2026-02")
        #expect(report.contains("* dept=SH user=svc.sh line=service count=3 amount=80.00 waived=0 flagged=1"), "\(report)")
        #expect(report.contains("* dept=SH user=li.na line=sales count=3 amount=100.00 waived=0 flagged=0"), "\(report)")
        let january = try await company.client("aud").request("PENALTY REPORT month=2026-01")
        #expect(january.contains("* dept=SH user=svc.sh line=service count=2 amount=40.00 waived=0 flagged=0"), "\(january)")
        try seed.escalationIsConsistent()
        try await server.shutdown()
    }

    /// Two daemon processes on one database sweep at the same moment: the
    /// advisory lock makes one wait, and it then sees what the other charged.
    @Test func twoDaemonsSweepingAtOnceChargeEachOccurrenceOnce() async throws {
        let server = try await TestServer()
        _ = try await company(server)
        let seed = Seed(sql: try server.database.admin())
        // 120 loans overdue by 0 to 11 days as of 2026-03-20, a plain calendar.
        var expected = 0
        let asOf = Self.d("2026-03-20")
        for index in 0..<120 {
            let due = asOf.adding(days: -(index % 12))!
            try seed.loan(borrower: ["li.na", "wang.fang", "zhao.lei"][index % 3], due: "\(due) 09:30")
            expected += ViolationSchedule.occurrenceDays(firstDay: due, lastCompletedDay: asOf, calendar: WorkingCalendar()).count
        }
        var daemons: [(DaemonProcess, Int)] = []
        for _ in 0..<2 {
            let port = try LineClient.freePort()
            daemons.append((try DaemonProcess(arguments: [
                "serve", "--database-url", server.database.daemonConninfo, "--listen", "127.0.0.1:\(port)",
                "--pool-size", "2", "--log-level", "warning", "--pool-timeout", "120",
                // The sweeps under test are the two commands, not the daily job.
                "--no-jobs",
            ]), port))
        }
        var auditors: [LineClient] = []
        for (daemon, port) in daemons {
            var client: LineClient?
            for _ in 0..<600 where client == nil {
                if let connected = try? await LineClient(port: port), try await connected.readLine()?.hasPrefix("OK DOSSIER/1") == true {
                    client = connected
                } else {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            let auditor = try #require(client, "\(daemon.text)")
            #expect(try await auditor.request("AUTH aud \(Company.password)").first?.hasPrefix("OK") == true)
            auditors.append(auditor)
        }
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for auditor in auditors {
                group.addTask { try await self.sweep(auditor, asOf.description) }
            }
            var all: [Int] = []
            for try await count in group { all.append(count) }
            return all
        }
        #expect(counts.reduce(0, +) == expected, "\(counts)")
        #expect(counts.contains(0), "\(counts)")
        let total = try seed.sql.query("SELECT count(*)::int8 FROM dossier.penalties").rows[0].decode(0, as: Int.self)
        #expect(total == expected)
        // And again, from both: nothing new.
        #expect(try await sweep(auditors[0], asOf.description) == 0)
        #expect(try await sweep(auditors[1], asOf.description) == 0)
        try seed.escalationIsConsistent()
        for (daemon, _) in daemons {
            daemon.terminate()
            #expect(await daemon.waitForExit() == 0)
        }
        try await server.shutdown()
    }
}
