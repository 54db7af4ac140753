import DossierDomain
import Testing

@Suite struct WorkingCalendarTests {
    static func d(_ text: String) -> CalendarDate { CalendarDate(text)! }

    /// 国庆 2026: 10-01 (Thu) … 10-07 (Wed) off, Saturday 10-10 worked (调休).
    static let national: WorkingCalendar = {
        var exceptions: [CalendarDate: CalendarDayKind] = [:]
        for day in 1...7 { exceptions[CalendarDate(year: 2026, month: 10, day: day)!] = .holiday }
        exceptions[d("2026-10-10")] = .workday
        return WorkingCalendar(exceptions: exceptions)
    }()

    @Test func mondayToFridayByDefault() {
        let plain = WorkingCalendar()
        #expect(plain.isWorkingDay(Self.d("2026-11-20")))     // Friday
        #expect(!plain.isWorkingDay(Self.d("2026-11-21")))    // Saturday
        #expect(!plain.isWorkingDay(Self.d("2026-11-22")))    // Sunday
        #expect(plain.workingDays(from: Self.d("2026-11-20"), to: Self.d("2026-11-23")) == 1)   // Fri → Mon
        #expect(plain.workingDays(from: Self.d("2026-11-23"), to: Self.d("2026-11-23")) == 0)
        #expect(plain.workingDays(from: Self.d("2026-11-16"), to: Self.d("2026-11-23")) == 5)
        #expect(plain.workingDays(from: Self.d("2026-11-23"), to: Self.d("2026-11-16")) == -5)
        #expect(plain.adding(workingDays: 1, to: Self.d("2026-11-20")) == Self.d("2026-11-23"))
        #expect(plain.adding(workingDays: 1, to: Self.d("2026-11-21")) == Self.d("2026-11-23"))
        #expect(plain.adding(workingDays: -1, to: Self.d("2026-11-23")) == Self.d("2026-11-20"))
        #expect(plain.adding(workingDays: 0, to: Self.d("2026-11-21")) == Self.d("2026-11-21"))
        #expect(plain.adding(workingDays: 5, to: Self.d("2026-11-16")) == Self.d("2026-11-23"))
    }

    @Test func holidaysAndMakeUpDays() {
        let cal = Self.national
        #expect(!cal.isWorkingDay(Self.d("2026-10-01")))
        #expect(cal.isWorkingDay(Self.d("2026-10-10")))       // make-up Saturday
        #expect(!cal.isWorkingDay(Self.d("2026-10-11")))
        // From Wed 09-30: 10-08 Thu, 10-09 Fri, 10-10 Sat (worked), 10-12 Mon.
        #expect(cal.adding(workingDays: 1, to: Self.d("2026-09-30")) == Self.d("2026-10-08"))
        #expect(cal.adding(workingDays: 3, to: Self.d("2026-09-30")) == Self.d("2026-10-10"))
        #expect(cal.adding(workingDays: 4, to: Self.d("2026-09-30")) == Self.d("2026-10-12"))
        #expect(cal.adding(workingDays: -1, to: Self.d("2026-10-08")) == Self.d("2026-09-30"))
        #expect(cal.workingDays(from: Self.d("2026-09-30"), to: Self.d("2026-10-07")) == 0)
        #expect(cal.workingDays(from: Self.d("2026-09-30"), to: Self.d("2026-10-12")) == 4)
        #expect(cal.workingDays(from: Self.d("2026-09-25"), to: Self.d("2026-10-12")) == 7)
    }

    @Test func addingAndCountingAgree() {
        let cal = Self.national
        let start = Self.d("2026-09-20")
        for offset in 0..<40 {
            let from = start.adding(days: offset)!
            for n in (cal.isWorkingDay(from) ? -12 : 0)...12 {
                let to = cal.adding(workingDays: n, to: from)!
                #expect(cal.workingDays(from: from, to: to) == n, "\(from) \(n)")
            }
        }
    }
}
