/// A department (sales office) code, e.g. `SH`: 1–10 characters, an uppercase ASCII
/// letter then uppercase letters or digits. No `-`, because the code is the first
/// part of an archive number (`SH-HT-2026-0001`).
public struct DepartmentCode: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let rawValue: String

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard (1...10).contains(bytes.count), ASCII.isUpper(bytes[0]),
              bytes.allSatisfy({ ASCII.isUpper($0) || ASCII.isDigit($0) })
        else { return nil }
        self.rawValue = text
    }

    public var description: String { rawValue }

    public static func < (lhs: DepartmentCode, rhs: DepartmentCode) -> Bool { lhs.rawValue < rhs.rawValue }
}
