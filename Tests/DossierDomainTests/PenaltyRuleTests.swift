import DossierDomain
import Testing

/// RULES.md "Penalties": repeat escalation and when the occurrences of an
/// uncorrected violation fall.
@Suite struct PenaltyRuleTests {
    static func d(_ text: String) -> CalendarDate { CalendarDate(text)! }

    /// March 2026 with Monday 03-09 a holiday and Saturday 03-14 a make-up working day.
    static let march = WorkingCalendar(exceptions: [d("2026-03-09"): .holiday, d("2026-03-14"): .workday])

    @Test func repeatEscalationDoublesFromTheSecondOrThird() {
        #expect((1...6).map { RepeatEscalation.multiplier(ordinalInMonth: $0, line: .sales) } == [1, 2, 2, 2, 2, 2])
        #expect((1...6).map { RepeatEscalation.multiplier(ordinalInMonth: $0, line: .service) } == [1, 1, 2, 2, 2, 2])
        // The old call site still answers the same.
        #expect(LoanPolicy.isRepeat(ordinalInMonth: 2, line: .sales) && !LoanPolicy.isRepeat(ordinalInMonth: 2, line: .service))
        // Only service staff get the month flagged for a performance deduction, from the 3rd violation.
        #expect(!RepeatEscalation.flagsPerformanceDeduction(violationsInMonth: 2, line: .service))
        #expect(RepeatEscalation.flagsPerformanceDeduction(violationsInMonth: 3, line: .service))
        #expect(!RepeatEscalation.flagsPerformanceDeduction(violationsInMonth: 9, line: .sales))
    }

    /// A loan due Friday 03-06 is overdue that day; Monday is a holiday, so the
    /// first further working day is Tuesday, which counts once it has ended.
    @Test func loanDueFridayWithMondayAHoliday() {
        let friday = Self.d("2026-03-06")
        func days(_ lastCompleted: String) -> [CalendarDate] {
            ViolationSchedule.occurrenceDays(firstDay: friday, lastCompletedDay: Self.d(lastCompleted), calendar: Self.march)
        }
        #expect(days("2026-03-05") == [friday])                       // during Friday itself
        #expect(days("2026-03-09") == [friday])                       // Sat, Sun, holiday Monday
        #expect(days("2026-03-10") == [friday, Self.d("2026-03-10")]) // end of Tuesday
        #expect(days("2026-03-16") == [friday] + ["03-10", "03-11", "03-12", "03-13", "03-14", "03-16"].map { Self.d("2026-" + $0) })
        // Without the holiday Monday counts.
        #expect(ViolationSchedule.occurrenceDays(firstDay: friday, lastCompletedDay: Self.d("2026-03-10"), calendar: WorkingCalendar())
                == [friday, Self.d("2026-03-09"), Self.d("2026-03-10")])
        // Returned on Thursday 03-12: Tuesday and Wednesday ended uncorrected, Thursday did not.
        #expect(ViolationSchedule.occurrenceDays(firstDay: friday, lastCompletedDay: Self.d("2026-03-16"), correctedOn: Self.d("2026-03-12"), calendar: Self.march)
                == [friday, Self.d("2026-03-10"), Self.d("2026-03-11")])
        // Returned on the due day, after the due time: the first occurrence only.
        #expect(ViolationSchedule.occurrenceDays(firstDay: friday, lastCompletedDay: Self.d("2026-03-16"), correctedOn: friday, calendar: Self.march) == [friday])
        // A violation that begins on a weekend is dated that day; the next working day adds the next one.
        #expect(ViolationSchedule.occurrenceDays(firstDay: Self.d("2026-03-07"), lastCompletedDay: Self.d("2026-03-10"), calendar: Self.march)
                == [Self.d("2026-03-07"), Self.d("2026-03-10")])
    }

    @Test func lateFilingDeadlines() {
        // Created Wednesday 03-04: sales may submit through Monday 03-09 — a holiday here, so Tuesday 03-10.
        #expect(ViolationSchedule.submissionDeadline(createdOn: Self.d("2026-03-04"), line: .sales, calendar: WorkingCalendar()) == Self.d("2026-03-09"))
        #expect(ViolationSchedule.submissionDeadline(createdOn: Self.d("2026-03-04"), line: .sales, calendar: Self.march) == Self.d("2026-03-10"))
        #expect(ViolationSchedule.submissionDeadline(createdOn: Self.d("2026-03-04"), line: .service, calendar: Self.march) == Self.d("2026-03-05"))
        // Created on a Sunday: the days after count.
        #expect(ViolationSchedule.submissionDeadline(createdOn: Self.d("2026-03-08"), line: .service, calendar: Self.march) == Self.d("2026-03-10"))
        // The violation begins when the deadline day ends; then one per further working day.
        #expect(ViolationSchedule.lateFilingDays(createdOn: Self.d("2026-03-04"), line: .service, lastCompletedDay: Self.d("2026-03-04"), calendar: Self.march) == [])
        #expect(ViolationSchedule.lateFilingDays(createdOn: Self.d("2026-03-04"), line: .service, lastCompletedDay: Self.d("2026-03-05"), calendar: Self.march) == [Self.d("2026-03-05")])
        #expect(ViolationSchedule.lateFilingDays(createdOn: Self.d("2026-03-04"), line: .service, lastCompletedDay: Self.d("2026-03-10"), calendar: Self.march)
                == [Self.d("2026-03-05"), Self.d("2026-03-06"), Self.d("2026-03-10")])
        #expect(ViolationSchedule.lateFilingDays(createdOn: Self.d("2026-03-04"), line: .sales, lastCompletedDay: Self.d("2026-03-09"), calendar: Self.march) == [])
        // Submitted on the deadline day: in time. Submitted on Tuesday 03-10: the deadline day and Friday count.
        #expect(ViolationSchedule.lateFilingDays(createdOn: Self.d("2026-03-04"), line: .service, submittedOn: Self.d("2026-03-05"), lastCompletedDay: Self.d("2026-03-20"), calendar: Self.march) == [])
        #expect(ViolationSchedule.lateFilingDays(createdOn: Self.d("2026-03-04"), line: .service, submittedOn: Self.d("2026-03-10"), lastCompletedDay: Self.d("2026-03-20"), calendar: Self.march)
                == [Self.d("2026-03-05"), Self.d("2026-03-06")])
        #expect(ViolationSchedule.workingDaysToSubmit(.sales) == 3 && ViolationSchedule.workingDaysToSubmit(.service) == 1)
    }

    @Test func staleAfterOneCalendarMonth() {
        #expect(ViolationSchedule.staleFrom(updatedOn: Self.d("2026-01-15")) == Self.d("2026-02-15"))
        #expect(ViolationSchedule.staleFrom(updatedOn: Self.d("2026-01-31")) == Self.d("2026-02-28"))
        #expect(ViolationSchedule.staleFrom(updatedOn: Self.d("2028-01-31")) == Self.d("2028-02-29"))
        #expect(ViolationSchedule.staleFrom(updatedOn: Self.d("2026-12-31")) == Self.d("2027-01-31"))
        #expect(ViolationSchedule.staleFrom(updatedOn: Self.d("9999-12-01")) == nil)
    }
}
