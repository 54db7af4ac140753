/// An access grant id `G<n>` (查阅授权), as `ACCESS LIST` shows it and `ACCESS REVOKE` takes it.
public struct GrantID: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let value: Int64

    public init?(_ value: Int64) {
        guard value >= 1 else { return nil }
        self.value = value
    }

    public init?(_ text: String) {
        guard text.hasPrefix("G"), let value = ASCII.positiveNumber(text.dropFirst()) else { return nil }
        self.value = value
    }

    public var description: String { "G\(value)" }

    public static func < (lhs: GrantID, rhs: GrantID) -> Bool { lhs.value < rhs.value }
}
