/// A penalty id `P<n>`. Canonical: no leading zeros, uppercase prefix.
public struct PenaltyID: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let value: Int64

    public init?(_ value: Int64) {
        guard value >= 1 else { return nil }
        self.value = value
    }

    public init?(_ text: String) {
        guard text.hasPrefix("P"), let value = ASCII.positiveNumber(text.dropFirst()) else { return nil }
        self.value = value
    }

    public var description: String { "P\(value)" }

    public static func < (lhs: PenaltyID, rhs: PenaltyID) -> Bool { lhs.value < rhs.value }
}
