import DossierDomain

/// `APPROVAL LIST status=`: which approvals to list.
public enum ApprovalListFilter: String, WireEnum {
    /// Waiting for the caller's decision.
    case pending
    /// Requested by the caller.
    case mine
    /// Every approval the caller may see.
    case all
}

/// `LOAN LIST status=`: a loan state, or `overdue` (checked out past its due time).
public enum LoanStatusFilter: Hashable, Sendable, CustomStringConvertible {
    case status(LoanStatus)
    case overdue

    public static var wireSpellings: [String] { LoanStatus.wireSpellings + ["overdue"] }

    public init?(_ text: String) {
        if text == "overdue" {
            self = .overdue
        } else if let status = LoanStatus(rawValue: text) {
            self = .status(status)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .status(let status): status.rawValue
        case .overdue: "overdue"
        }
    }
}
