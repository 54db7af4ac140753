/// A resident identity card number (公民身份号码), GB 11643-1999: 17 digits
/// (6 of region, 8 of birth date, 3 of sequence) and a check character over
/// them, ISO 7064 MOD 11-2 (`0`–`9` or `X`). Lowercase `x` is accepted and
/// stored uppercase. Only `person` customers carry one.
public struct ResidentIDNumber: Hashable, Sendable, LosslessStringConvertible {
    public let rawValue: String

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    public init?(_ text: String) {
        let upper = text.uppercased()
        let characters = Array(upper)
        guard characters.count == 18, characters[0..<17].allSatisfy({ $0.isASCII && $0.isNumber }),
              let check = Self.checkCharacter(for: String(characters[0..<17])), characters[17] == check,
              Self.hasValidBirthDate(characters)
        else { return nil }
        rawValue = upper
    }

    /// The check character for 17 leading digits (for tests and fixtures).
    public static func checkCharacter(for first17: String) -> Character? {
        let digits = first17.compactMap(\.wholeNumberValue)
        guard digits.count == 17, first17.count == 17 else { return nil }
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return checkCharacters[sum % 11]
    }

    /// Characters 7–14 are the birth date YYYYMMDD: a real day from 1900 on.
    private static func hasValidBirthDate(_ characters: [Character]) -> Bool {
        guard let year = Int(String(characters[6..<10])), let month = Int(String(characters[10..<12])),
              let day = Int(String(characters[12..<14]))
        else { return false }
        return year >= 1900 && CalendarDate(year: year, month: month, day: day) != nil
    }

    public var description: String { rawValue }
}
