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
/// company time zone, which `begin_system_command` sets from the database, so
/// every daemon computes the same series).
public enum JobSchedule: Sendable, Hashable, CustomStringConvertible {
    /// Every day at this wall-clock time. A time that does not exist on a day
    /// (a daylight-saving gap) falls to the next time that does.
    case daily(at: TimeOfDay)

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
        }
    }

    private static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    private static func occurrence(of time: TimeOfDay, onDayStarting day: Date, _ calendar: Calendar) -> Date {
        calendar.date(bySettingHour: time.hour, minute: time.minute, second: 0, of: day)
            ?? day.addingTimeInterval(TimeInterval(time.hour * 3600 + time.minute * 60))
    }
}
