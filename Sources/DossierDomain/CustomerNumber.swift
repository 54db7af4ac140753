/// A customer number `C-YYYY-NNNNN` (company-wide, gapless per year). Sequences past
/// 99999 are written with more digits rather than wrapping.
public struct CustomerNumber: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let year: Int
    public let sequence: Int

    public init?(year: Int, sequence: Int) {
        guard (1...9999).contains(year), sequence >= 1 else { return nil }
        self.year = year
        self.sequence = sequence
    }

    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "C",
              let year = ASCII.fixedDigits(parts[1], count: 4),
              let sequence = ASCII.paddedSequence(parts[2], width: 5)
        else { return nil }
        self.init(year: year, sequence: sequence)
    }

    public var description: String { "C-\(ASCII.pad(year, width: 4))-\(ASCII.pad(sequence, width: 5))" }

    public static func < (lhs: CustomerNumber, rhs: CustomerNumber) -> Bool {
        (lhs.year, lhs.sequence) < (rhs.year, rhs.sequence)
    }
}
