/// A loan id `L<n>`. Canonical: no leading zeros, uppercase prefix.
public struct LoanID: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let value: Int64

    public init?(_ value: Int64) {
        guard value >= 1 else { return nil }
        self.value = value
    }

    public init?(_ text: String) {
        guard text.hasPrefix("L"), let value = ASCII.positiveNumber(text.dropFirst()) else { return nil }
        self.value = value
    }

    public var description: String { "L\(value)" }

    public static func < (lhs: LoanID, rhs: LoanID) -> Bool { lhs.value < rhs.value }
}
