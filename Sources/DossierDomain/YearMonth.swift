/// A calendar month (`YYYY-MM`), e.g. for monthly penalty reports.
public struct YearMonth: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses exactly `YYYY-MM`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let year = ASCII.fixedDigits(parts[0], count: 4),
              let month = ASCII.fixedDigits(parts[1], count: 2)
        else { return nil }
        self.init(year: year, month: month)
    }

    /// The month a date falls in.
    public init(_ date: CalendarDate) {
        self.year = date.year
        self.month = date.month
    }

    public var description: String { "\(ASCII.pad(year, width: 4))-\(ASCII.pad(month, width: 2))" }

    public var firstDay: CalendarDate { CalendarDate(year: year, month: month, day: 1)! }

    public var lastDay: CalendarDate {
        CalendarDate(year: year, month: month, day: CalendarDate.daysInMonth(year: year, month: month))!
    }

    public func contains(_ date: CalendarDate) -> Bool { date.year == year && date.month == month }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }
}
