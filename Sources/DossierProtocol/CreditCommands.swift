import DossierDomain

/// `CREDIT ARREARS <customer> amount=<yuan> due=<date> [note=]`: a sale on
/// credit (赊销) the customer owes, payable by the end of `due`.
public struct CreditArrears: Hashable, Sendable {
    public var customer: CustomerNumber
    public var amount: Money
    public var due: CalendarDate
    public var note: String?
    public init(customer: CustomerNumber, amount: Money, due: CalendarDate, note: String? = nil) {
        self.customer = customer; self.amount = amount; self.due = due; self.note = note
    }
}

/// `CREDIT PAY <customer|R<n>> amount=<yuan> [date=] [note=]`: a payment
/// received, applied to the customer's open receivables oldest due first
/// (`PaymentAllocation`), or to one receivable.
public struct CreditPay: Hashable, Sendable {
    public var target: CreditTarget
    public var amount: Money
    /// nil: today (the company's day).
    public var date: CalendarDate?
    public var note: String?
    public init(target: CreditTarget, amount: Money, date: CalendarDate? = nil, note: String? = nil) {
        self.target = target; self.amount = amount; self.date = date; self.note = note
    }
}

/// `CREDIT PLAN <customer> instalments=<n> first=<date> [every=month|<n>d] [amount=] [note=]`:
/// the manager's repayment plan (还款计划) for open arrears.
public struct CreditPlan: Hashable, Sendable {
    public var customer: CustomerNumber
    public var instalments: Int
    public var first: CalendarDate
    /// nil: `month`.
    public var every: InstalmentSchedule.Interval?
    /// nil: all open arrears not yet in a plan.
    public var amount: Money?
    public var note: String?
    public init(customer: CustomerNumber, instalments: Int, first: CalendarDate, every: InstalmentSchedule.Interval? = nil,
                amount: Money? = nil, note: String? = nil) {
        self.customer = customer; self.instalments = instalments; self.first = first; self.every = every
        self.amount = amount; self.note = note
    }
}

/// `CREDIT LIST [customer=] [status=due|overdue|paid|planned|open] [limit=]`:
/// receivables (arrears and instalments) the caller sees, by due day.
public struct CreditList: Hashable, Sendable {
    public var customer: CustomerNumber?
    public var status: ReceivableStatus?
    public var limit: Int?
    public init(customer: CustomerNumber? = nil, status: ReceivableStatus? = nil, limit: Int? = nil) {
        self.customer = customer; self.status = status; self.limit = limit
    }
}
