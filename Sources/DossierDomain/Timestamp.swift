/// An ISO 8601 time with a UTC offset, as on the wire: `2026-03-01T09:30:00+08:00`.
///
/// Parsing accepts `T` or a space between date and time, optional seconds, an optional
/// fraction (kept to nanoseconds), and `Z` or `±HH:MM` / `±HHMM`. An offset is required:
/// a time without one would mean different instants on client and server.
public struct Timestamp: Hashable, Sendable, LosslessStringConvertible {
    public let date: CalendarDate
    public let hour: Int
    public let minute: Int
    public let second: Int
    public let nanosecond: Int
    /// Offset from UTC in minutes, -1439…1439.
    public let utcOffsetMinutes: Int

    public init?(date: CalendarDate, hour: Int, minute: Int, second: Int = 0, nanosecond: Int = 0, utcOffsetMinutes: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              (0..<1_000_000_000).contains(nanosecond), (-1439...1439).contains(utcOffsetMinutes)
        else { return nil }
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 17, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
              let date = CalendarDate(String(decoding: bytes[0..<10], as: UTF8.self))
        else { return nil }
        var rest = bytes[11...]
        func digits(_ count: Int) -> Int? {
            guard rest.count >= count else { return nil }
            let run = rest.prefix(count)
            guard run.allSatisfy(ASCII.isDigit) else { return nil }
            rest = rest.dropFirst(count)
            return run.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        func take(_ byte: UInt8) -> Bool {
            guard rest.first == byte else { return false }
            rest = rest.dropFirst()
            return true
        }
        guard let hour = digits(2), take(UInt8(ascii: ":")), let minute = digits(2) else { return nil }
        var second = 0
        var nanosecond = 0
        if take(UInt8(ascii: ":")) {
            guard let s = digits(2) else { return nil }
            second = s
            if take(UInt8(ascii: ".")) || take(UInt8(ascii: ",")) {
                let fraction = rest.prefix(while: ASCII.isDigit)
                guard (1...9).contains(fraction.count) else { return nil }
                rest = rest.dropFirst(fraction.count)
                let value = fraction.reduce(0) { $0 * 10 + Int($1 - 0x30) }
                nanosecond = value * [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000][9 - fraction.count]
            }
        }
        var offset: Int
        if take(UInt8(ascii: "Z")) || take(UInt8(ascii: "z")) {
            offset = 0
        } else {
            let negative: Bool
            if take(UInt8(ascii: "+")) { negative = false } else if take(UInt8(ascii: "-")) { negative = true } else { return nil }
            guard let hours = digits(2) else { return nil }
            _ = take(UInt8(ascii: ":"))
            guard let minutes = digits(2), minutes < 60 else { return nil }
            offset = (hours * 60 + minutes) * (negative ? -1 : 1)
        }
        guard rest.isEmpty else { return nil }
        self.init(date: date, hour: hour, minute: minute, second: second, nanosecond: nanosecond, utcOffsetMinutes: offset)
    }

    /// Canonical form: `YYYY-MM-DDTHH:MM:SS[.fffffffff]±HH:MM` (`Z` for UTC).
    public var description: String {
        var text = "\(date)T\(ASCII.pad(hour, width: 2)):\(ASCII.pad(minute, width: 2)):\(ASCII.pad(second, width: 2))"
        if nanosecond > 0 {
            var fraction = ASCII.pad(nanosecond, width: 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        if utcOffsetMinutes == 0 { return text + "Z" }
        let magnitude = abs(utcOffsetMinutes)
        return text + (utcOffsetMinutes < 0 ? "-" : "+") + ASCII.pad(magnitude / 60, width: 2) + ":" + ASCII.pad(magnitude % 60, width: 2)
    }

    /// Seconds since 1970-01-01T00:00:00Z (leap seconds folded into the next second).
    public var secondsSinceEpoch: Int64 {
        Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(utcOffsetMinutes * 60)
    }
}
