import Foundation

/// A value that can be sent as a query parameter.
///
/// Parameters travel in PostgreSQL's text format; the SQL names the type with
/// an explicit cast (`$1::int8`, `$2::timestamptz`). A `nil` parameter is SQL NULL.
public protocol PostgresEncodable: Sendable {
    /// The value in PostgreSQL's text input syntax for its type.
    var postgresText: String { get }
}

/// A value that can be read from a column in PostgreSQL's text output format.
public protocol PostgresDecodable {
    init(postgresText: String) throws
}

// MARK: - Encodable

extension String: PostgresEncodable {
    public var postgresText: String { self }
}

extension Substring: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int16: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Bool: PostgresEncodable {
    public var postgresText: String { self ? "t" : "f" }
}

extension Double: PostgresEncodable {
    // Swift prints `inf`/`nan`, which float8in accepts.
    public var postgresText: String { String(self) }
}

extension Date: PostgresEncodable {
    /// ISO 8601 in UTC with microseconds, e.g. `2026-11-23T08:15:02.123456+00:00`.
    public var postgresText: String { PostgresTimestamp.format(self) }
}

extension Array: PostgresEncodable where Element == UInt8 {
    /// bytea hex format: `\x0aff…`.
    public var postgresText: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(2 + count * 2)
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "x"))
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension UUID: PostgresEncodable {
    public var postgresText: String { uuidString.lowercased() }
}

// MARK: - Decodable

/// Thrown by `PostgresDecodable` initialisers; `PostgresRow` turns it into a
/// `.client` `PostgresError` naming the column.
struct PostgresDecodingFailure: Error {
    var expected: String
}

extension String: PostgresDecodable {
    public init(postgresText: String) { self = postgresText }
}

extension Int: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Int(postgresText) else { throw PostgresDecodingFailure(expected: "Int") }
        self = value
    }
}

extension Int64: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Int64(postgresText) else { throw PostgresDecodingFailure(expected: "Int64") }
        self = value
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Int32(postgresText) else { throw PostgresDecodingFailure(expected: "Int32") }
        self = value
    }
}

extension Int16: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Int16(postgresText) else { throw PostgresDecodingFailure(expected: "Int16") }
        self = value
    }
}

extension Bool: PostgresDecodable {
    public init(postgresText: String) throws {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw PostgresDecodingFailure(expected: "Bool")
        }
    }
}

extension Double: PostgresDecodable {
    public init(postgresText: String) throws {
        // float8out writes Infinity/-Infinity/NaN; Double(_:) accepts those spellings.
        guard let value = Double(postgresText) else { throw PostgresDecodingFailure(expected: "Double") }
        self = value
    }
}

extension Date: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let date = PostgresTimestamp.parse(postgresText) else {
            throw PostgresDecodingFailure(expected: "Date")
        }
        self = date
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    public init(postgresText: String) throws {
        guard let bytes = PostgresBytea.parse(postgresText) else {
            throw PostgresDecodingFailure(expected: "[UInt8] (bytea)")
        }
        self = bytes
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = UUID(uuidString: postgresText) else { throw PostgresDecodingFailure(expected: "UUID") }
        self = value
    }
}

// MARK: - bytea

enum PostgresBytea {
    /// Parses bytea output in hex format (`\x…`, the default since 9.0).
    static func parse(_ text: String) -> [UInt8]? {
        var utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x") else { return nil }
        utf8.removeFirst(2)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = hexValue(utf8[index]), let low = hexValue(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

// MARK: - timestamps

/// Formats and parses timestamps without `DateFormatter` (which is slow and
/// not thread-safe to share) and with full microsecond precision.
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        let totalMicros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let (secs, micros) = floorDivMod(totalMicros, 1_000_000)
        let (days, secOfDay) = floorDivMod(secs, 86_400)
        let (year, month, day) = civil(fromDays: days)
        var text = year < 0 || year > 9999 ? String(year) : pad(year, 4)
        text += "-\(pad(month, 2))-\(pad(day, 2))T"
        text += "\(pad(secOfDay / 3600, 2)):\(pad(secOfDay / 60 % 60, 2)):\(pad(secOfDay % 60, 2))"
        text += ".\(pad(micros, 6))+00:00"
        return text
    }

    /// Parses timestamptz/timestamp/date text output with DateStyle ISO:
    /// `2026-11-23 08:15:02.123456+00`, `…+05:30`, `…-03:30:15`, a `T`
    /// separator, a trailing ` BC`, and `infinity`/`-infinity`. Text without an
    /// offset (timestamp, date) is read as UTC.
    static func parse(_ text: String) -> Date? {
        switch text {
        case "infinity": return .distantFuture
        case "-infinity": return .distantPast
        default: break
        }
        var scanner = ByteScanner(Array(text.utf8))
        var bc = false
        if scanner.bytes.count > 3, scanner.bytes.suffix(3) == Array(" BC".utf8) {
            bc = true
            scanner.bytes.removeLast(3)
        }
        guard var year = scanner.number(minDigits: 4, maxDigits: 9),
              scanner.take("-"), let month = scanner.number(minDigits: 2, maxDigits: 2),
              scanner.take("-"), let day = scanner.number(minDigits: 2, maxDigits: 2),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        if bc { year = 1 - year }  // 1 BC is astronomical year 0
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        var micros: Int64 = 0
        if scanner.take(" ") || scanner.take("T") {
            guard let hour = scanner.number(minDigits: 2, maxDigits: 2), scanner.take(":"),
                  let minute = scanner.number(minDigits: 2, maxDigits: 2), scanner.take(":"),
                  let second = scanner.number(minDigits: 2, maxDigits: 2),
                  hour <= 24, minute < 60, second < 61
            else { return nil }
            seconds += hour * 3600 + minute * 60 + second
            if scanner.take(".") {
                var digits = 0
                while let d = scanner.digit() {
                    if digits < 6 { micros = micros * 10 + d }
                    digits += 1
                }
                guard digits > 0 else { return nil }
                if digits < 6 { for _ in digits..<6 { micros *= 10 } }
            }
            if let sign = scanner.sign() {
                guard let oh = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                var offset = oh * 3600
                if scanner.take(":") {
                    guard let om = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                    offset += om * 60
                    if scanner.take(":") {
                        guard let os = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                        offset += os
                    }
                } else if let om = scanner.number(minDigits: 2, maxDigits: 2) {
                    offset += om * 60  // +0530
                }
                seconds -= sign * offset
            } else if scanner.take("Z") {
                // UTC
            }
        }
        guard scanner.atEnd else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

private struct ByteScanner {
    var bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ c: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: c) else { return false }
        index += 1
        return true
    }

    mutating func digit() -> Int64? {
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
        defer { index += 1 }
        return Int64(bytes[index] - UInt8(ascii: "0"))
    }

    mutating func number(minDigits: Int, maxDigits: Int) -> Int64? {
        let start = index
        var value: Int64 = 0
        while index - start < maxDigits, let d = digit() { value = value * 10 + d }
        guard index - start >= minDigits else { index = start; return nil }
        return value
    }

    mutating func sign() -> Int64? {
        if take("+") { return 1 }
        if take("-") { return -1 }
        return nil
    }
}
