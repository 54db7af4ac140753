/// When the visits of a follow-up template fall (seed 001 篇二: a buying
/// customer is visited within 3, 30 and 60 days of the customer file, one who
/// did not buy within 3 and 15 days).
///
/// An offset counts from the day the customer is marked for follow-up (the
/// plan day itself never counts), in calendar days (`day`) or working days
/// (`workday`). A calendar-day due date that is not a working day moves to the
/// next working day: nobody is asked to visit on a holiday. The SQL function
/// `dossier.followup_due` (migration 0060) says the same; the tests check
/// that both agree.
public enum FollowUpSchedule {
    /// How a template counts its offsets.
    public enum Unit: String, WireEnum {
        case day
        case workday
    }

    /// The due day of one offset, or nil outside years 1…9999 or for an
    /// offset below 1.
    public static func due(from plan: CalendarDate, offset: Int, unit: Unit, calendar: WorkingCalendar) -> CalendarDate? {
        guard offset >= 1 else { return nil }
        switch unit {
        case .workday:
            return calendar.adding(workingDays: offset, to: plan)
        case .day:
            guard var day = plan.adding(days: offset) else { return nil }
            while !calendar.isWorkingDay(day) {
                guard let next = day.adding(days: 1) else { return nil }
                day = next
            }
            return day
        }
    }

    /// The due days of every offset, in order.
    public static func dues(from plan: CalendarDate, offsets: [Int], unit: Unit, calendar: WorkingCalendar) -> [CalendarDate]? {
        var result: [CalendarDate] = []
        for offset in offsets {
            guard let day = due(from: plan, offset: offset, unit: unit, calendar: calendar) else { return nil }
            result.append(day)
        }
        return result
    }

    /// Offsets as a template stores them: 1 to 20 of them, each 1…3660, strictly
    /// increasing (`3,30,60`). Nil for anything else.
    public static func offsets(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard (1...20).contains(parts.count) else { return nil }
        var result: [Int] = []
        for part in parts {
            let bytes = Array(part.utf8)
            guard (1...4).contains(bytes.count), bytes.allSatisfy(ASCII.isDigit), let value = Int(part),
                  (1...3660).contains(value), value > (result.last ?? 0)
            else { return nil }
            result.append(value)
        }
        return result
    }

    /// A visit's state on `today`: recorded, or due until its day ends, overdue after.
    public static func status(due: CalendarDate, recorded: Bool, today: CalendarDate) -> VisitStatusFilter {
        if recorded { return .done }
        return due < today ? .overdue : .due
    }
}
