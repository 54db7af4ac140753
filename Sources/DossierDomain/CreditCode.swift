/// A unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from
/// `0-9 A-H J-N P-R T U W-Y` (no I O S V Z); the last is a check character over the
/// first 17 (weights 3^i mod 31). Lowercase input is accepted and stored uppercase.
public struct CreditCode: Hashable, Sendable, LosslessStringConvertible {
    public let rawValue: String

    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    public init?(_ text: String) {
        let upper = text.uppercased()
        let bytes = Array(upper.utf8)
        guard bytes.count == 18 else { return nil }
        var values: [Int] = []
        for byte in bytes {
            guard let index = CreditCode.alphabet.firstIndex(of: byte) else { return nil }
            values.append(index)
        }
        guard values[17] == CreditCode.checkValue(values[0..<17]) else { return nil }
        self.rawValue = upper
    }

    /// The check character for 17 leading characters (for tests and fixtures).
    public static func checkCharacter(for first17: String) -> Character? {
        let bytes = Array(first17.uppercased().utf8)
        guard bytes.count == 17 else { return nil }
        var values: [Int] = []
        for byte in bytes {
            guard let index = alphabet.firstIndex(of: byte) else { return nil }
            values.append(index)
        }
        return Character(UnicodeScalar(alphabet[checkValue(values[...])]))
    }

    static func checkValue(_ values: ArraySlice<Int>) -> Int {
        let sum = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return (31 - sum % 31) % 31
    }

    public var description: String { rawValue }
}
