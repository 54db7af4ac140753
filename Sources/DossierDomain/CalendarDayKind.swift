/// A company-calendar override of the Monday–Friday default.
public enum CalendarDayKind: String, WireEnum {
    /// A working day, e.g. a weekend make-up day (调休).
    case workday
    /// A non-working day, e.g. a public holiday on a weekday.
    case holiday
}
