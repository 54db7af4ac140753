/// An inspection id `I<n>` (盘点). Canonical: no leading zeros, uppercase prefix.
public struct InspectionID: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let value: Int64

    public init?(_ value: Int64) {
        guard value >= 1 else { return nil }
        self.value = value
    }

    public init?(_ text: String) {
        guard text.hasPrefix("I"), let value = ASCII.positiveNumber(text.dropFirst()) else { return nil }
        self.value = value
    }

    public var description: String { "I\(value)" }

    public static func < (lhs: InspectionID, rhs: InspectionID) -> Bool { lhs.value < rhs.value }
}
