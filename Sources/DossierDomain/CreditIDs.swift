/// A receivable of a customer, `R<n>` (应收款): an arrear recorded with
/// `CREDIT ARREARS` or an instalment of a repayment plan. Canonical: no
/// leading zeros, uppercase prefix.
public struct ReceivableID: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let value: Int64

    public init?(_ value: Int64) {
        guard value >= 1 else { return nil }
        self.value = value
    }

    public init?(_ text: String) {
        guard text.hasPrefix("R"), let value = ASCII.positiveNumber(text.dropFirst()) else { return nil }
        self.value = value
    }

    public var description: String { "R\(value)" }

    public static func < (lhs: ReceivableID, rhs: ReceivableID) -> Bool { lhs.value < rhs.value }
}

/// A repayment plan (还款计划), `RP<n>`.
public struct RepaymentPlanID: Hashable, Comparable, Sendable, LosslessStringConvertible {
    public let value: Int64

    public init?(_ value: Int64) {
        guard value >= 1 else { return nil }
        self.value = value
    }

    public init?(_ text: String) {
        guard text.hasPrefix("RP"), let value = ASCII.positiveNumber(text.dropFirst(2)) else { return nil }
        self.value = value
    }

    public var description: String { "RP\(value)" }

    public static func < (lhs: RepaymentPlanID, rhs: RepaymentPlanID) -> Bool { lhs.value < rhs.value }
}

/// What `CREDIT PAY` pays: a customer's open receivables (oldest due first), or one receivable.
public enum CreditTarget: Hashable, Sendable, LosslessStringConvertible {
    case customer(CustomerNumber)
    case receivable(ReceivableID)

    public init?(_ text: String) {
        if let number = CustomerNumber(text) {
            self = .customer(number)
        } else if let id = ReceivableID(text) {
            self = .receivable(id)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .customer(let number): number.description
        case .receivable(let id): id.description
        }
    }
}
