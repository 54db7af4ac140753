/// An approval request id `A<n>`. Canonical: no leading zeros, uppercase prefix.
public struct ApprovalID: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let value: Int64

    public init?(_ value: Int64) {
        guard value >= 1 else { return nil }
        self.value = value
    }

    public init?(_ text: String) {
        guard text.hasPrefix("A"), let value = ASCII.positiveNumber(text.dropFirst()) else { return nil }
        self.value = value
    }

    public var description: String { "A\(value)" }

    public static func < (lhs: ApprovalID, rhs: ApprovalID) -> Bool { lhs.value < rhs.value }
}
