/// A follow-up visit id `V<n>` (回访). Canonical: no leading zeros, uppercase prefix.
public struct VisitID: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let value: Int64

    public init?(_ value: Int64) {
        guard value >= 1 else { return nil }
        self.value = value
    }

    public init?(_ text: String) {
        guard text.hasPrefix("V"), let value = ASCII.positiveNumber(text.dropFirst()) else { return nil }
        self.value = value
    }

    public var description: String { "V\(value)" }

    public static func < (lhs: VisitID, rhs: VisitID) -> Bool { lhs.value < rhs.value }
}
