/// One date or an inclusive range `YYYY-MM-DD..YYYY-MM-DD` (a holiday week in one
/// `CALENDAR SET`). At most `maximumDays` long, so one command cannot write years.
public struct DateRange: Hashable, Sendable, LosslessStringConvertible {
    public static let maximumDays = 366

    public let first: CalendarDate
    public let last: CalendarDate

    public init?(first: CalendarDate, last: CalendarDate) {
        let days = last.daysSinceEpoch - first.daysSinceEpoch + 1
        guard (1...Self.maximumDays).contains(days) else { return nil }
        self.first = first
        self.last = last
    }

    /// `2026-02-16` or `2026-02-15..2026-02-21`.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        if bytes.count == 10 {
            guard let date = CalendarDate(text) else { return nil }
            self.init(first: date, last: date)
            return
        }
        // Two dates of ten characters each around `..`.
        guard bytes.count == 22, bytes[10] == UInt8(ascii: "."), bytes[11] == UInt8(ascii: "."),
              let first = CalendarDate(String(decoding: bytes[0..<10], as: UTF8.self)),
              let last = CalendarDate(String(decoding: bytes[12...], as: UTF8.self))
        else { return nil }
        self.init(first: first, last: last)
    }

    public var isSingleDay: Bool { first == last }

    /// How many days the range holds, both ends included.
    public var dayCount: Int { last.daysSinceEpoch - first.daysSinceEpoch + 1 }

    public var description: String { isSingleDay ? first.description : "\(first)..\(last)" }
}
