/// A penalty rule's code, e.g. `LATE_FILING`. Rules are database rows, so this is an
/// open set: 1–64 characters, an uppercase ASCII letter then uppercase letters,
/// digits or `_`.
public struct PenaltyRuleCode: Hashable, Sendable, LosslessStringConvertible {
    public let rawValue: String

    public static let lateFiling = PenaltyRuleCode(checked: "LATE_FILING")
    public static let missingCustomerSignature = PenaltyRuleCode(checked: "MISSING_CUSTOMER_SIGNATURE")
    public static let missingInternalSignature = PenaltyRuleCode(checked: "MISSING_INTERNAL_SIGNATURE")
    public static let staleCustomer = PenaltyRuleCode(checked: "STALE_CUSTOMER")
    public static let overdueLoan = PenaltyRuleCode(checked: "OVERDUE_LOAN")
    public static let lostOrDamaged = PenaltyRuleCode(checked: "LOST_OR_DAMAGED")
    public static let unauthorizedView = PenaltyRuleCode(checked: "UNAUTHORIZED_VIEW")
    public static let accountSharing = PenaltyRuleCode(checked: "ACCOUNT_SHARING")

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count), ASCII.isUpper(bytes[0]),
              bytes.allSatisfy({ ASCII.isUpper($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "_") })
        else { return nil }
        self.rawValue = text
    }

    private init(checked: String) { self.rawValue = checked }

    public var description: String { rawValue }
}
