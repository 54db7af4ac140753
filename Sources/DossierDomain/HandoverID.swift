/// A handover id `H<n>`: the recorded list of what moved when someone left
/// (or changed department).
public struct HandoverID: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let value: Int64

    public init?(_ value: Int64) {
        guard value >= 1 else { return nil }
        self.value = value
    }

    public init?(_ text: String) {
        guard text.hasPrefix("H"), let value = ASCII.positiveNumber(text.dropFirst()) else { return nil }
        self.value = value
    }

    public var description: String { "H\(value)" }

    public static func < (lhs: HandoverID, rhs: HandoverID) -> Bool { lhs.value < rhs.value }
}
