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

/// `AUDIT VERIFY [full=yes]`: with the daemon's audit key, the rows written
/// since the last checkpoint; `full` every row of the log.
public struct AuditVerify: Hashable, Sendable {
    public var full: Bool
    public init(full: Bool = false) { self.full = full }
}
