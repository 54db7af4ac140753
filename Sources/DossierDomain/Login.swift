/// A user's login name, e.g. `li.na`: 1–64 characters of lowercase ASCII letters,
/// digits, `.`, `_` and `-`, starting with a letter or digit. Lowercase only, so that
/// `Li.Na` and `li.na` can never be two users.
public struct Login: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let rawValue: String

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count), ASCII.isLower(bytes[0]) || ASCII.isDigit(bytes[0]),
              bytes.allSatisfy({ ASCII.isLower($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else { return nil }
        self.rawValue = text
    }

    public var description: String { rawValue }

    public static func < (lhs: Login, rhs: Login) -> Bool { lhs.rawValue < rhs.rawValue }
}
