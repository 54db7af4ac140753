import DossierDomain
import DossierStore
import Postgres
import Testing
import TestSupport

/// `dossier.working_days_between` / `dossier.add_working_days` (migration 0010)
/// agree with `WorkingCalendar` around 国庆 2026 (10-01 … 10-07 off, Saturday
/// 10-10 a make-up working day).
@Suite struct WorkingDaysTests {
    static let base = CalendarDate("2026-09-20")!
    static let span = 45

    static func seed(_ database: MigratedDatabase) throws -> WorkingCalendar {
        let admin = try database.admin()
        defer { admin.close() }
        try admin.query("""
            INSERT INTO dossier.calendar_days (day, kind, note)
            SELECT d::date, 'holiday', '国庆' FROM generate_series(date '2026-10-01', date '2026-10-07', interval '1 day') d
            UNION ALL SELECT date '2026-10-10', 'workday', '调休'
            """)
        var exceptions: [CalendarDate: CalendarDayKind] = [:]
        for day in 1...7 { exceptions[CalendarDate(year: 2026, month: 10, day: day)!] = .holiday }
        exceptions[CalendarDate("2026-10-10")!] = .workday
        return WorkingCalendar(exceptions: exceptions)
    }

    @Test func sqlAgreesWithSwift() throws {
        let database = try MigratedDatabase.create()
        let calendar = try Self.seed(database)
        // As the daemon's role without a command open: the functions still see the calendar.
        let daemon = try database.daemon()
        defer { daemon.close() }

        let added = try daemon.query("""
            SELECT i, n, to_char(dossier.add_working_days($1::date + i, n), 'YYYY-MM-DD') AS day
              FROM generate_series(0, $2::int4) i, generate_series(-12, 12) n
            """, [Self.base.description, Self.span]).rows
        #expect(added.count == (Self.span + 1) * 25)
        for row in added {
            let from = Self.base.adding(days: try row.decode("i", as: Int.self))!
            let n = try row.decode("n", as: Int.self)
            #expect(try row.decode("day", as: String.self) == calendar.adding(workingDays: n, to: from)!.description, "\(from) \(n)")
        }

        let counted = try daemon.query("""
            SELECT i, j, dossier.working_days_between($1::date + i, $1::date + j) AS n
              FROM generate_series(0, $2::int4) i, generate_series(0, $2::int4) j
            """, [Self.base.description, Self.span]).rows
        #expect(counted.count == (Self.span + 1) * (Self.span + 1))
        for row in counted {
            let from = Self.base.adding(days: try row.decode("i", as: Int.self))!
            let to = Self.base.adding(days: try row.decode("j", as: Int.self))!
            #expect(try row.decode("n", as: Int.self) == calendar.workingDays(from: from, to: to), "\(from) → \(to)")
        }
    }

    @Test func knownAnswersAndTimestamps() throws {
        let database = try MigratedDatabase.create()
        _ = try Self.seed(database)
        let admin = try database.admin()
        defer { admin.close() }
        let row = try admin.query("""
            SELECT to_char(dossier.add_working_days(date '2026-09-30', 1), 'YYYY-MM-DD') AS after_holiday,
                   to_char(dossier.add_working_days(date '2026-09-30', 3), 'YYYY-MM-DD') AS make_up,
                   dossier.working_days_between(date '2026-09-30', date '2026-10-12') AS across,
                   dossier.working_days_between(timestamptz '2026-09-30 18:00+08', timestamptz '2026-10-08 09:00+08') AS stamps
              FROM (SELECT set_config('timezone', 'Asia/Shanghai', true)) s
            """).rows[0]
        #expect(try row.decode("after_holiday", as: String.self) == "2026-10-08")
        #expect(try row.decode("make_up", as: String.self) == "2026-10-10")
        #expect(try row.decode("across", as: Int.self) == 4)
        #expect(try row.decode("stamps", as: Int.self) == 1)
    }
}
