/// A repayment plan's instalments (分期还款): the amount split into equal
/// instalments in fen, the remainder fen on the last one (so no instalment is
/// smaller than another but the last, and the sum is exact); due days from the
/// first one, every month (the same day of the month, the month's last day
/// when it is shorter: 01-31, 02-28, 03-31) or every n calendar days. Due
/// days are commercial dates agreed with the customer: they do not move off
/// holidays (a payment may be made on any day).
public enum InstalmentSchedule {
    /// How often an instalment falls due: `month`, or `<n>d` (1…366 days).
    public enum Interval: Hashable, Sendable, LosslessStringConvertible {
        case month
        case days(Int)

        public init?(_ text: String) {
            if text == "month" {
                self = .month
                return
            }
            let digits = text.hasSuffix("d") ? text.dropLast() : Substring(text)
            let bytes = Array(digits.utf8)
            guard (1...3).contains(bytes.count), bytes.allSatisfy(ASCII.isDigit), bytes[0] != 0x30,
                  let days = Int(digits), (1...366).contains(days)
            else { return nil }
            self = .days(days)
        }

        public var description: String {
            switch self {
            case .month: "month"
            case .days(let days): "\(days)d"
            }
        }
    }

    /// The most instalments one plan may have (ten years of months).
    public static let maximumCount = 120

    /// One instalment.
    public struct Instalment: Hashable, Sendable {
        public let number: Int
        public let due: CalendarDate
        public let amount: Money
    }

    /// The amounts of `count` instalments of `total`; nil unless
    /// 1 ≤ count ≤ `maximumCount` and every instalment is at least one fen.
    public static func amounts(total: Money, count: Int) -> [Money]? {
        guard (1...maximumCount).contains(count), total.fen >= Int64(count) else { return nil }
        let share = total.fen / Int64(count)
        let remainder = total.fen - share * Int64(count)
        return (0..<count).map { Money(fen: share + ($0 == count - 1 ? remainder : 0)) }
    }

    /// The due day of instalment `index` (0 for the first).
    public static func due(first: CalendarDate, every interval: Interval, index: Int) -> CalendarDate? {
        switch interval {
        case .days(let days):
            return first.adding(days: days * index)
        case .month:
            let months = first.year * 12 + (first.month - 1) + index
            let year = months / 12
            let month = months % 12 + 1
            guard (1...9999).contains(year) else { return nil }
            return CalendarDate(year: year, month: month,
                                day: min(first.day, CalendarDate.daysInMonth(year: year, month: month)))
        }
    }

    /// The whole schedule, or nil when the amounts or a due day are out of range.
    public static func instalments(total: Money, count: Int, first: CalendarDate, every interval: Interval) -> [Instalment]? {
        guard let amounts = amounts(total: total, count: count) else { return nil }
        var result: [Instalment] = []
        for (index, amount) in amounts.enumerated() {
            guard let due = due(first: first, every: interval, index: index) else { return nil }
            result.append(Instalment(number: index + 1, due: due, amount: amount))
        }
        return result
    }
}
