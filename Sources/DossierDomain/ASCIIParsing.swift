/// Small ASCII helpers shared by the identifier parsers. Everything on the wire
/// that is an identifier is ASCII, so these work on UTF-8 bytes, not Characters.
enum ASCII {
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
    static func isLower(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }

    /// A run of decimal digits of exactly `count` characters (leading zeros allowed).
    static func fixedDigits(_ text: Substring, count: Int) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == count, bytes.allSatisfy(isDigit) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// A canonical positive decimal number: no sign, no leading zero, at most 18 digits
    /// (so it always fits in `Int64`).
    static func positiveNumber(_ text: Substring) -> Int64? {
        let bytes = Array(text.utf8)
        guard (1...18).contains(bytes.count), bytes.allSatisfy(isDigit), bytes[0] != 0x30 else { return nil }
        return bytes.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
    }

    /// A zero-padded sequence number of at least `width` digits; more digits are allowed
    /// only without padding (so `12345` is fine for width 4, `01234` is not canonical).
    static func paddedSequence(_ text: Substring, width: Int) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count >= width, bytes.count <= 18, bytes.allSatisfy(isDigit) else { return nil }
        let value = bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard value >= 1, bytes.count == max(width, String(value).count) else { return nil }
        return value
    }

    static func pad(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
