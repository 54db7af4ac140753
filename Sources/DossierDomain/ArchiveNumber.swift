/// An archive number (档号) `DEPT-CAT-YYYY-NNNN`, e.g. `SH-HT-2026-0001`, assigned when
/// filing is approved. Sequences past 9999 are written with more digits.
public struct ArchiveNumber: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let department: DepartmentCode
    public let category: Category
    public let year: Int
    public let sequence: Int

    public init?(department: DepartmentCode, category: Category, year: Int, sequence: Int) {
        guard (1...9999).contains(year), sequence >= 1 else { return nil }
        self.department = department
        self.category = category
        self.year = year
        self.sequence = sequence
    }

    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4,
              let department = DepartmentCode(String(parts[0])),
              let category = Category(rawValue: String(parts[1])),
              let year = ASCII.fixedDigits(parts[2], count: 4),
              let sequence = ASCII.paddedSequence(parts[3], width: 4)
        else { return nil }
        self.init(department: department, category: category, year: year, sequence: sequence)
    }

    public var description: String {
        "\(department)-\(category.rawValue)-\(ASCII.pad(year, width: 4))-\(ASCII.pad(sequence, width: 4))"
    }

    public static func < (lhs: ArchiveNumber, rhs: ArchiveNumber) -> Bool {
        (lhs.department.rawValue, lhs.category.rawValue, lhs.year, lhs.sequence)
            < (rhs.department.rawValue, rhs.category.rawValue, rhs.year, rhs.sequence)
    }
}
