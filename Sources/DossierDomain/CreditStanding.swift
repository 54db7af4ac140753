/// The state of one receivable on a day: `due` (open, its day not ended),
/// `overdue` (open after its due day), `paid` (nothing open), `planned` (an
/// arrear whose open amount was moved into a repayment plan). `open` selects
/// `due` and `overdue` in `CREDIT LIST status=`.
public enum ReceivableStatus: String, WireEnum {
    case due
    case overdue
    case paid
    case planned
    case open

    /// The state of a receivable of `amount`, of which `paid` was paid and
    /// `planned` moved into a plan, due on `due`, seen on `today`.
    public static func of(amount: Money, paid: Money, planned: Money, due: CalendarDate, today: CalendarDate) -> ReceivableStatus {
        if amount.fen - paid.fen - planned.fen > 0 { return due < today ? .overdue : .due }
        return planned.fen > 0 ? .planned : .paid
    }
}

/// A customer's credit flags (信用预警) in `CUSTOMER SHOW`, `CUSTOMER LIST
/// flag=` and `TODO`: `over_limit` when the outstanding receivables exceed the
/// credit limit (no limit set counts as no credit granted: any outstanding
/// amount is over it), `overdue` when a receivable is open after its due day
/// (an overdue arrear, or an overdue instalment: the plan is broken). A flag
/// is the manager's signal to review the customer's credit rating and limit
/// (`CREDIT SHOW`, then `CUSTOMER SET credit_rating=`, approved and with history
/// as every customer change); the rating itself never changes behind anyone's
/// back. The SQL function `dossier.credit_flags` (migration 0063) says the same.
public enum CreditFlag: String, WireEnum {
    case overLimit = "over_limit"
    case overdue

    public static func flags(outstanding: Money, limit: Money?, overdueCount: Int) -> [CreditFlag] {
        var flags: [CreditFlag] = []
        if outstanding > (limit ?? .zero) { flags.append(.overLimit) }
        if overdueCount > 0 { flags.append(.overdue) }
        return flags
    }
}
