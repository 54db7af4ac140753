import DossierDomain

/// `ACCESS LIST [mine|all] [limit=]`: your own grants, or every grant you may see
/// (a manager's department, a director's company).
public struct AccessList: Hashable, Sendable {
    public enum Scope: String, WireEnum {
        case mine, all
    }
    public var scope: Scope
    public var limit: Int?
    public init(scope: Scope = .mine, limit: Int? = nil) { self.scope = scope; self.limit = limit }
}

/// `ACCESS REVOKE G<n> [reason=]`: the grantee gives a grant up, or the department's
/// manager or a director ends it early.
public struct AccessRevoke: Hashable, Sendable {
    public var grant: GrantID
    public var reason: String?
    public init(grant: GrantID, reason: String?) { self.grant = grant; self.reason = reason }
}

/// `HOLD LIST [status=active|released|all] [limit=]`.
public struct HoldList: Hashable, Sendable {
    public enum Status: String, WireEnum {
        case active, released, all
    }
    public var status: Status
    public var limit: Int?
    public init(status: Status = .active, limit: Int? = nil) { self.status = status; self.limit = limit }
}
