import DossierDomain

/// `AUDIT LIST [ref=] [user=] [since=] [limit=]`.
public struct AuditList: Hashable, Sendable {
    public var ref: DossierRef?
    public var user: Login?
    public var since: TimeBound?
    public var limit: Int?
    public init(ref: DossierRef? = nil, user: Login? = nil, since: TimeBound? = nil, limit: Int? = nil) {
        self.ref = ref; self.user = user; self.since = since; self.limit = limit
    }
}
