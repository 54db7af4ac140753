import DossierDomain
import Foundation

/// A wall-clock time of day, `HH:MM` on a 24-hour clock.
public struct TimeOfDay: Sendable, Hashable, CustomStringConvertible {
    public let hour: Int
    public let minute: Int

    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// Parses exactly `HH:MM` (`02:00`, `23:59`).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCIIDigit) }),
              let hour = Int(parts[0]), let minute = Int(parts[1])
        else { return nil }
        self.init(hour: hour, minute: minute)
    }

    public var description: String {
        (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// When a job falls due: a series of occurrences in the company's time zone.
/// Pure: the time zone is given by the caller (the scheduler uses the
/// database's `TimeZone` setting, so every daemon computes the same series).
public enum JobSchedule: Sendable, Hashable, CustomStringConvertible {
    /// Every day at this wall-clock time. A time that does not exist on a day
    /// (a daylight-saving gap) falls to the next time that does.
    case daily(at: TimeOfDay)
    /// Every month on this day (1…28) at this wall-clock time.
    case monthly(day: Int, at: TimeOfDay)
    /// At every whole multiple of this many seconds since 1970-01-01 UTC (so
    /// every daemon agrees on the series whenever it started).
    case every(seconds: Int)
    /// Whenever any of these falls due.
    case anyOf([JobSchedule])

    /// The latest occurrence at or before `now`.
    public func latestOccurrence(atOrBefore now: Date, in zone: TimeZone) -> Date {
        switch self {
        case .daily(let time):
            let calendar = Self.calendar(zone)
            let today = calendar.startOfDay(for: now)
            let candidate = Self.occurrence(of: time, onDayStarting: today, calendar)
            if candidate <= now { return candidate }
            let yesterday = calendar.date(byAdding: .day, value: -1, to: today) ?? today.addingTimeInterval(-86_400)
            return Self.occurrence(of: time, onDayStarting: yesterday, calendar)
        case .monthly(let day, let time):
            let calendar = Self.calendar(zone)
            let candidate = Self.occurrence(day: day, at: time, monthsFrom: 0, of: now, calendar)
            if candidate <= now { return candidate }
            return Self.occurrence(day: day, at: time, monthsFrom: -1, of: now, calendar)
        case .every(let seconds):
            let period = Double(max(1, seconds))
            return Date(timeIntervalSince1970: (now.timeIntervalSince1970 / period).rounded(.down) * period)
        case .anyOf(let schedules):
            return schedules.map { $0.latestOccurrence(atOrBefore: now, in: zone) }.max() ?? .distantPast
        }
    }

    /// The first occurrence after `now`.
    public func nextOccurrence(after now: Date, in zone: TimeZone) -> Date {
        switch self {
        case .daily(let time):
            let calendar = Self.calendar(zone)
            let today = calendar.startOfDay(for: now)
            let candidate = Self.occurrence(of: time, onDayStarting: today, calendar)
            if candidate > now { return candidate }
            let tomorrow = calendar.date(byAdding: .day, value: 1, to: today) ?? today.addingTimeInterval(86_400)
            return Self.occurrence(of: time, onDayStarting: tomorrow, calendar)
        case .monthly(let day, let time):
            let calendar = Self.calendar(zone)
            let candidate = Self.occurrence(day: day, at: time, monthsFrom: 0, of: now, calendar)
            if candidate > now { return candidate }
            return Self.occurrence(day: day, at: time, monthsFrom: 1, of: now, calendar)
        case .every(let seconds):
            let period = Double(max(1, seconds))
            return Date(timeIntervalSince1970: ((now.timeIntervalSince1970 / period).rounded(.down) + 1) * period)
        case .anyOf(let schedules):
            return schedules.map { $0.nextOccurrence(after: now, in: zone) }.min() ?? .distantFuture
        }
    }

    /// The calendar day of `instant` in `zone`.
    public static func day(of instant: Date, in zone: TimeZone) -> CalendarDate {
        let parts = calendar(zone).dateComponents([.year, .month, .day], from: instant)
        // Every instant has a day in years 1…9999; the fallback is never taken.
        return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
            ?? CalendarDate(year: 1970, month: 1, day: 1)!
    }

    public var description: String {
        switch self {
        case .daily(let time): "daily at \(time)"
        case .monthly(let day, let time): "monthly on day \(day) at \(time)"
        case .every(let seconds): "every \(seconds)s"
        case .anyOf(let schedules): schedules.map(\.description).joined(separator: " and ")
        }
    }

    private static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// Day `day` at `time` of the month `months` away from the month of `instant`.
    private static func occurrence(day: Int, at time: TimeOfDay, monthsFrom months: Int, of instant: Date, _ calendar: Calendar) -> Date {
        var parts = calendar.dateComponents([.year, .month], from: instant)
        parts.day = min(max(day, 1), 28)
        let first = calendar.date(from: parts) ?? instant
        let shifted = calendar.date(byAdding: .month, value: months, to: first) ?? first
        return occurrence(of: time, onDayStarting: calendar.startOfDay(for: shifted), calendar)
    }

    private static func occurrence(of time: TimeOfDay, onDayStarting day: Date, _ calendar: Calendar) -> Date {
        calendar.date(bySettingHour: time.hour, minute: time.minute, second: 0, of: day)
            ?? day.addingTimeInterval(TimeInterval(time.hour * 3600 + time.minute * 60))
    }
}

extension JobSchedule {
    /// Parses an interval such as `90s`, `30m`, `6h`, `1d` into seconds.
    public static func seconds(_ text: String) -> Int? {
        guard let unit = text.last, let number = Int(text.dropLast()), number >= 1 else { return nil }
        let factor: Int
        switch unit {
        case "s": factor = 1
        case "m": factor = 60
        case "h": factor = 3600
        case "d": factor = 86_400
        default: return nil
        }
        let (product, overflow) = number.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }
}
