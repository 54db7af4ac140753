import DossierDomain

/// `PENALTY RECORD <login> rule= [ref=] [qty=] [amount=] [note=]`.
public struct PenaltyRecord: Hashable, Sendable {
    public var user: Login
    public var rule: PenaltyRuleCode
    public var ref: DossierRef?
    /// nil: 1.
    public var quantity: Int?
    /// nil: the rule's amount; otherwise must lie within the rule's min…max.
    public var amount: Money?
    public var note: String?
    public init(user: Login, rule: PenaltyRuleCode, ref: DossierRef? = nil, quantity: Int? = nil, amount: Money? = nil, note: String? = nil) {
        self.user = user; self.rule = rule; self.ref = ref; self.quantity = quantity; self.amount = amount; self.note = note
    }
}

/// `PENALTY LIST [user=] [dept=] [month=]`.
public struct PenaltyList: Hashable, Sendable {
    public var user: Login?
    public var department: DepartmentCode?
    public var month: YearMonth?
    public init(user: Login? = nil, department: DepartmentCode? = nil, month: YearMonth? = nil) {
        self.user = user; self.department = department; self.month = month
    }
}

/// `PENALTY WAIVE P<n> reason=`.
public struct PenaltyWaive: Hashable, Sendable {
    public var penalty: PenaltyID
    public var reason: String
    public init(penalty: PenaltyID, reason: String) { self.penalty = penalty; self.reason = reason }
}

/// `PENALTY SWEEP [date=] [dry_run=yes|no]`.
public struct PenaltySweep: Hashable, Sendable {
    /// nil: today.
    public var date: CalendarDate?
    /// Say what would be charged; write nothing.
    public var dryRun: Bool
    public init(date: CalendarDate?, dryRun: Bool = false) { self.date = date; self.dryRun = dryRun }
}
