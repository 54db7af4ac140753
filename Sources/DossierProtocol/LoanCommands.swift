import DossierDomain

/// `ACCESS REQUEST <ref> purpose= [hours=]`.
public struct AccessRequest: Hashable, Sendable {
    public var ref: DossierRef
    public var purpose: String
    /// nil: the default grant (24 hours).
    public var hours: Int?
    public init(ref: DossierRef, purpose: String, hours: Int?) { self.ref = ref; self.purpose = purpose; self.hours = hours }
}

/// `LOAN REQUEST <ref> purpose= [days=|hours=] [mode=]`.
public struct LoanRequest: Hashable, Sendable {
    public var ref: DossierRef
    public var purpose: String
    /// nil: the level's default limit.
    public var period: LoanPeriod?
    /// nil: the level's default (take-out, or reading room for `confidential`).
    public var mode: LoanMode?
    public init(ref: DossierRef, purpose: String, period: LoanPeriod?, mode: LoanMode?) {
        self.ref = ref; self.purpose = purpose; self.period = period; self.mode = mode
    }
}

/// `LOAN RETURN L<n> [complete=] [note=]`.
public struct LoanReturn: Hashable, Sendable {
    public var loan: LoanID
    /// nil: complete (`complete=no` records a loss/damage violation).
    public var complete: Bool?
    public var note: String?
    public init(loan: LoanID, complete: Bool?, note: String?) { self.loan = loan; self.complete = complete; self.note = note }
    /// Everything came back (`complete=` absent or `yes`).
    public var isComplete: Bool { complete ?? true }
}

/// `LOAN EXTEND L<n> days=|hours= reason=`.
public struct LoanExtend: Hashable, Sendable {
    public var loan: LoanID
    public var period: LoanPeriod
    public var reason: String
    public init(loan: LoanID, period: LoanPeriod, reason: String) { self.loan = loan; self.period = period; self.reason = reason }
}

/// `LOAN LIST [status=] [borrower=]`.
public struct LoanList: Hashable, Sendable {
    public var status: LoanStatusFilter?
    public var borrower: Login?
    public init(status: LoanStatusFilter?, borrower: Login?) { self.status = status; self.borrower = borrower }
}

/// `APPROVAL LIST [status=] [kind=] [limit=] [after=]`.
public struct ApprovalList: Hashable, Sendable {
    /// nil: `pending`.
    public var status: ApprovalListFilter?
    public var kind: ApprovalKind?
    /// nil: the default page.
    public var limit: Int?
    /// The `next=` of the previous page.
    public var after: Cursor?
    public init(status: ApprovalListFilter?, kind: ApprovalKind?, limit: Int? = nil, after: Cursor? = nil) {
        self.status = status; self.kind = kind; self.limit = limit; self.after = after
    }
}

/// `APPROVE <id> [comment=]`.
public struct Approve: Hashable, Sendable {
    public var approval: ApprovalID
    public var comment: String?
    public init(approval: ApprovalID, comment: String?) { self.approval = approval; self.comment = comment }
}

/// `REJECT <id> reason=`.
public struct Reject: Hashable, Sendable {
    public var approval: ApprovalID
    public var reason: String
    public init(approval: ApprovalID, reason: String) { self.approval = approval; self.reason = reason }
}
