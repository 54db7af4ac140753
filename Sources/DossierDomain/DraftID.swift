/// A dossier's draft id `D<n>`, returned by `DOSSIER NEW`; stays valid after filing.
public struct DraftID: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let value: Int64

    public init?(_ value: Int64) {
        guard value >= 1 else { return nil }
        self.value = value
    }

    public init?(_ text: String) {
        guard text.hasPrefix("D"), let value = ASCII.positiveNumber(text.dropFirst()) else { return nil }
        self.value = value
    }

    public var description: String { "D\(value)" }

    public static func < (lhs: DraftID, rhs: DraftID) -> Bool { lhs.value < rhs.value }
}
