/// When the occurrences of an automatic violation fall, by the working-day
/// calendar (RULES.md "Penalties": not corrected within one working day counts
/// again). Pure; the sweep's SQL (`ViolationSweep`) computes the same days set-based,
/// and `PenaltySweepTests` checks it against these functions.
///
/// A violation *begins* at a moment: a loan's due time (`OVERDUE_LOAN`), the end
/// of the last day allowed for submitting a draft (`LATE_FILING`), one calendar
/// month after a customer's last update (`STALE_CUSTOMER`). Occurrence 1 is dated
/// the day it begins. Each further **working day** that ends with the violation
/// still uncorrected adds one occurrence, dated that working day: the violator
/// always has one whole working day to correct it. Weekends and holidays never
/// count; a make-up working day (调休) does.
public enum ViolationSchedule {
    /// The occurrence days of a violation that began on `firstDay`, as far as
    /// they have happened when `lastCompletedDay` is the last day that has
    /// ended: `firstDay`, then every working day `d` with
    /// `firstDay < d <= lastCompletedDay` — and, when it was corrected on
    /// `correctedOn`, `d < correctedOn` (a day counts only if it ended
    /// uncorrected). Call it only for a violation that began before it was
    /// corrected: occurrence 1 exists from the moment it begins, even if that
    /// day has not ended.
    public static func occurrenceDays(
        firstDay: CalendarDate, lastCompletedDay: CalendarDate, correctedOn: CalendarDate? = nil,
        calendar: WorkingCalendar
    ) -> [CalendarDate] {
        let upTo = correctedOn.flatMap { $0.adding(days: -1) }.map { min($0, lastCompletedDay) } ?? lastCompletedDay
        var days = [firstDay]
        var day = firstDay
        while let next = day.adding(days: 1), next <= upTo {
            if calendar.isWorkingDay(next) { days.append(next) }
            day = next
        }
        return days
    }

    /// `LATE_FILING`: the working days a draft may stay unsubmitted after the
    /// day it was created (RULES.md: 3 for sales, 1 for service staff).
    /// Mirrored by `dossier.filing_working_days(line)` (migration 0014).
    public static func workingDaysToSubmit(_ line: StaffLine) -> Int {
        switch line {
        case .sales: 3
        case .service: 1
        }
    }

    /// `LATE_FILING`: the last day allowed for submitting a draft created on
    /// `createdOn` by its owner of `line` — the N-th working day after that
    /// day. The violation begins when this day ends, and is dated this day.
    public static func submissionDeadline(createdOn: CalendarDate, line: StaffLine, calendar: WorkingCalendar) -> CalendarDate? {
        calendar.adding(workingDays: workingDaysToSubmit(line), to: createdOn)
    }

    /// `LATE_FILING` occurrences of a draft first submitted on `submittedOn`
    /// (nil: not yet), as of the end of `lastCompletedDay`; empty while the
    /// deadline has not passed, and for a draft submitted by its deadline day.
    public static func lateFilingDays(
        createdOn: CalendarDate, line: StaffLine, submittedOn: CalendarDate? = nil, lastCompletedDay: CalendarDate,
        calendar: WorkingCalendar
    ) -> [CalendarDate] {
        guard let deadline = submissionDeadline(createdOn: createdOn, line: line, calendar: calendar),
              deadline <= lastCompletedDay, submittedOn.map({ $0 > deadline }) ?? true
        else { return [] }
        return occurrenceDays(firstDay: deadline, lastCompletedDay: lastCompletedDay, correctedOn: submittedOn, calendar: calendar)
    }

    /// `STALE_CUSTOMER`: the day a customer last updated on `updatedOn`
    /// becomes stale — one calendar month later, clamped to the end of a
    /// shorter month (01-31 → 02-28), as PostgreSQL's `+ interval '1 month'`.
    public static func staleFrom(updatedOn: CalendarDate) -> CalendarDate? {
        let (year, month) = updatedOn.month == 12 ? (updatedOn.year + 1, 1) : (updatedOn.year, updatedOn.month + 1)
        guard (1...9999).contains(year) else { return nil }
        return CalendarDate(year: year, month: month, day: min(updatedOn.day, CalendarDate.daysInMonth(year: year, month: month)))
    }
}
