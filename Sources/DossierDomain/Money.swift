/// An amount of CNY in fen (分, 1/100 yuan). Integer arithmetic only: no floating point
/// ever touches money.
///
/// Wire form is yuan with two decimals (`50.00`). Parsing also accepts `50` and `50.5`;
/// formatting always writes two decimals.
public struct Money: Hashable, Comparable, Sendable, LosslessStringConvertible {
    /// The amount in fen.
    public var fen: Int64

    /// The largest amount accepted from the wire: 10^12 yuan, far above any fine or
    /// credit limit, and far from `Int64` overflow when summing.
    public static let maximumFen: Int64 = 100_000_000_000_000

    public static let zero = Money(fen: 0)

    public init(fen: Int64) { self.fen = fen }

    public init(yuan: Int64) { self.fen = yuan * 100 }

    /// Parses `123`, `123.4` or `123.45` (non-negative, at most two decimals).
    public init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = Array(parts[0].utf8)
        guard (1...15).contains(whole.count), whole.allSatisfy(ASCII.isDigit) else { return nil }
        var fen = whole.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) } * 100
        if parts.count == 2 {
            let fraction = Array(parts[1].utf8)
            guard (1...2).contains(fraction.count), fraction.allSatisfy(ASCII.isDigit) else { return nil }
            let value = fraction.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
            fen += fraction.count == 1 ? value * 10 : value
        }
        guard fen <= Money.maximumFen else { return nil }
        self.fen = fen
    }

    /// `50.00`, `-3.05`.
    public var description: String {
        let sign = fen < 0 ? "-" : ""
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.fen < rhs.fen }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(fen: lhs.fen + rhs.fen) }
    public static func * (lhs: Money, rhs: Int64) -> Money { Money(fen: lhs.fen * rhs) }
}
