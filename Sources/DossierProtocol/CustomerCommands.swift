import DossierDomain

/// `CUSTOMER NEW name= […]`.
public struct CustomerNew: Hashable, Sendable {
    public var name: String
    public var kind: CustomerKind?
    public var creditCode: CreditCode?
    public var legalRep: String?
    public var contact: String?
    public var phone: String?
    public var email: String?
    public var address: String?
    public var industry: String?
    public var region: String?
    public var grade: CustomerGrade?
    public var creditLimit: Money?
    /// 身份证号码: `person` customers only (sealed at rest, like phone, e-mail, address, bank account).
    public var idNumber: ResidentIDNumber?
    public var bankAccount: String?
    /// The customer's written consent (seed 002): day, scope, document reference.
    public var consentOn: CalendarDate?
    public var consentScope: String?
    public var consentRef: String?
    /// nil: the caller.
    public var owner: Login?
    /// `duplicate=yes`: create it even though a customer of the same name exists.
    public var duplicate: Bool

    public init(
        name: String, kind: CustomerKind? = nil, creditCode: CreditCode? = nil, legalRep: String? = nil,
        contact: String? = nil, phone: String? = nil, email: String? = nil, address: String? = nil,
        industry: String? = nil, region: String? = nil, grade: CustomerGrade? = nil,
        creditLimit: Money? = nil, owner: Login? = nil, duplicate: Bool = false,
        idNumber: ResidentIDNumber? = nil, bankAccount: String? = nil,
        consentOn: CalendarDate? = nil, consentScope: String? = nil, consentRef: String? = nil
    ) {
        self.idNumber = idNumber; self.bankAccount = bankAccount
        self.consentOn = consentOn; self.consentScope = consentScope; self.consentRef = consentRef
        self.name = name; self.kind = kind; self.creditCode = creditCode; self.legalRep = legalRep
        self.contact = contact; self.phone = phone; self.email = email; self.address = address
        self.industry = industry; self.region = region; self.grade = grade
        self.creditLimit = creditLimit; self.owner = owner; self.duplicate = duplicate
    }

    /// The sensitive fields given, in `SensitiveField` order.
    public var sensitiveValues: [(SensitiveField, String)] {
        [(SensitiveField.idNumber, idNumber?.rawValue), (.phone, phone), (.email, email), (.address, address),
         (.bankAccount, bankAccount)]
            .compactMap { field, value in value.map { (field, $0) } }
    }
}

/// `CUSTOMER FIND <text> [limit=] [after=]`.
public struct CustomerFind: Hashable, Sendable {
    public var text: String
    public var limit: Int?
    public var after: Cursor?
    public init(text: String, limit: Int?, after: Cursor? = nil) { self.text = text; self.limit = limit; self.after = after }
}

/// `CUSTOMER LIST [owner=] [grade=] [region=] [limit=] [after=]`.
public struct CustomerList: Hashable, Sendable {
    public var owner: Login?
    public var grade: CustomerGrade?
    public var region: String?
    /// Only customers with this credit flag (`over_limit`, `overdue`).
    public var flag: CreditFlag?
    public var limit: Int?
    public var after: Cursor?
    public init(owner: Login? = nil, grade: CustomerGrade? = nil, region: String? = nil, flag: CreditFlag? = nil,
                limit: Int? = nil, after: Cursor? = nil) {
        self.owner = owner; self.grade = grade; self.region = region; self.flag = flag; self.limit = limit; self.after = after
    }
}

/// `CUSTOMER SET <id> <field>=<value>… reason=`. Changes keep their order on the line;
/// each field appears at most once.
public struct CustomerSet: Hashable, Sendable {
    public var customer: CustomerNumber
    public var changes: [CustomerChange]
    public var reason: String
    public init(customer: CustomerNumber, changes: [CustomerChange], reason: String) {
        self.customer = customer; self.changes = changes; self.reason = reason
    }
}

/// `CUSTOMER CONFIRM <id> [note=]`: the owner's monthly refresh without a change.
public struct CustomerConfirm: Hashable, Sendable {
    public var customer: CustomerNumber
    public var note: String?
    public init(customer: CustomerNumber, note: String? = nil) { self.customer = customer; self.note = note }
}

/// `CUSTOMER CLOSE <id> date= reason=`.
public struct CustomerClose: Hashable, Sendable {
    public var customer: CustomerNumber
    public var date: CalendarDate
    public var reason: String
    public init(customer: CustomerNumber, date: CalendarDate, reason: String) {
        self.customer = customer; self.date = date; self.reason = reason
    }
}
