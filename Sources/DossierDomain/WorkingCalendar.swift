/// Working days: Monday–Friday unless the company calendar says otherwise — a
/// `holiday` on a weekday, a `workday` make-up day (调休) on a weekend.
///
/// The same two questions as the SQL functions `dossier.working_days_between`
/// and `dossier.add_working_days` (migration 0010), with the same definitions.
public struct WorkingCalendar: Hashable, Sendable {
    /// The exceptions to Monday–Friday, by date.
    public var exceptions: [CalendarDate: CalendarDayKind]

    public init(exceptions: [CalendarDate: CalendarDayKind] = [:]) { self.exceptions = exceptions }

    public func isWorkingDay(_ date: CalendarDate) -> Bool {
        switch exceptions[date] {
        case .workday?: true
        case .holiday?: false
        case nil: !date.isWeekend
        }
    }

    /// The number of working days `d` with `from < d <= to`: the day of `from`
    /// never counts, the day of `to` does. Negative when `to < from`
    /// (−(working days in `to < d <= from`)).
    public func workingDays(from: CalendarDate, to: CalendarDate) -> Int {
        let (low, high) = from <= to ? (from.daysSinceEpoch, to.daysSinceEpoch) : (to.daysSinceEpoch, from.daysSinceEpoch)
        var count = 0
        var day = low + 1
        while day <= high {
            if let date = CalendarDate(daysSinceEpoch: day), isWorkingDay(date) { count += 1 }
            day += 1
        }
        return from <= to ? count : -count
    }

    /// `n > 0`: the n-th working day after `date` (`date` itself never counts);
    /// `n < 0`: the |n|-th working day before it; `0`: `date` itself. So
    /// `workingDays(from: d, to: adding(workingDays: n, to: d)) == n`.
    /// Nil outside years 1…9999.
    public func adding(workingDays n: Int, to date: CalendarDate) -> CalendarDate? {
        guard n != 0 else { return date }
        let step = n > 0 ? 1 : -1
        var remaining = abs(n)
        var current = date
        while remaining > 0 {
            guard let next = current.adding(days: step) else { return nil }
            current = next
            if isWorkingDay(current) { remaining -= 1 }
        }
        return current
    }
}
