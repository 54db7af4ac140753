import DossierDomain

/// `DOSSIER NEW customer= category= title= [level=] [scope=] [location=]`.
public struct DossierNew: Hashable, Sendable {
    public var customer: CustomerNumber
    public var category: Category
    public var title: String
    /// nil: the server's default (`internal`).
    public var level: Level?
    /// nil: the server's default (`personal`).
    public var scope: Scope?
    public var location: String?
    public init(customer: CustomerNumber, category: Category, title: String, level: Level? = nil, scope: Scope? = nil, location: String? = nil) {
        self.customer = customer; self.category = category; self.title = title
        self.level = level; self.scope = scope; self.location = location
    }
}

/// `ITEM ADD <ref> title= [pages=] [medium=] [location=] [uri=] [sha256=] [signed_customer=] [signed_internal=]`.
public struct ItemAdd: Hashable, Sendable {
    public var ref: DossierRef
    public var title: String
    public var pages: Int?
    public var medium: Medium?
    public var location: String?
    public var uri: String?
    public var sha256: SHA256Digest?
    public var signedCustomer: Bool?
    public var signedInternal: Bool?
    public init(
        ref: DossierRef, title: String, pages: Int? = nil, medium: Medium? = nil, location: String? = nil,
        uri: String? = nil, sha256: SHA256Digest? = nil, signedCustomer: Bool? = nil, signedInternal: Bool? = nil
    ) {
        self.ref = ref; self.title = title; self.pages = pages; self.medium = medium; self.location = location
        self.uri = uri; self.sha256 = sha256; self.signedCustomer = signedCustomer; self.signedInternal = signedInternal
    }
}

/// `DOSSIER SHOW <ref> [purpose=]`.
public struct DossierShow: Hashable, Sendable {
    public var ref: DossierRef
    public var purpose: String?
    public init(ref: DossierRef, purpose: String?) { self.ref = ref; self.purpose = purpose }
}

/// `DOSSIER LIST [customer=] [category=] [status=] [owner=] [dept=] [limit=] [after=]`.
public struct DossierList: Hashable, Sendable {
    public var customer: CustomerNumber?
    public var category: Category?
    public var status: DossierStatus?
    public var owner: Login?
    public var department: DepartmentCode?
    public var limit: Int?
    public var after: Cursor?
    public init(
        customer: CustomerNumber? = nil, category: Category? = nil, status: DossierStatus? = nil, owner: Login? = nil,
        department: DepartmentCode? = nil, limit: Int? = nil, after: Cursor? = nil
    ) {
        self.customer = customer; self.category = category; self.status = status; self.owner = owner
        self.department = department; self.limit = limit; self.after = after
    }
}

/// `DOSSIER EDIT <ref> <field>=<value>… reason=`.
public struct DossierEdit: Hashable, Sendable {
    public var ref: DossierRef
    public var changes: [DossierChange]
    public var reason: String
    public init(ref: DossierRef, changes: [DossierChange], reason: String) { self.ref = ref; self.changes = changes; self.reason = reason }
}

/// A reference with a required reason: `DOSSIER DELETE`, `HOLD PLACE`, `HOLD RELEASE`.
public struct RefWithReason: Hashable, Sendable {
    public var ref: DossierRef
    public var reason: String
    public init(ref: DossierRef, reason: String) { self.ref = ref; self.reason = reason }
}
