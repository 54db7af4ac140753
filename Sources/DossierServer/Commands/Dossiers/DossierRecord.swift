import DossierDomain
import DossierProtocol
import Postgres

/// A dossier's register card as the caller sees it, found by `D<n>` or by
/// archive number through row-level security: what the caller may not see in
/// the register is `NOTFOUND`, exactly like what does not exist.
struct DossierRecord: Sendable {
    let id: Int64
    let departmentID: Int64
    let departmentCode: String
    let category: String
    let level: Level
    let scope: Scope
    let status: String
    let ownerID: Int64
    let owner: String
    let number: String?
    /// The caller may read the content (row-level security on dossier_contents).
    let contentVisible: Bool

    var reference: String { number ?? "D\(id)" }

    private static let columns = """
        SELECT d.id, d.dept_id, dp.code AS dept, d.category, d.level, d.scope, d.status, d.owner_id,
               u.login AS owner, d.number,
               EXISTS (SELECT 1 FROM dossier_contents c WHERE c.dossier_id = d.id) AS content_visible
          FROM dossiers d JOIN departments dp ON dp.id = d.dept_id JOIN users u ON u.id = d.owner_id
        """

    /// Finds the dossier; `lock` takes a row lock for a state change. A row
    /// lock is granted by the dossier's write policy (policies.sql): for a
    /// caller who may not change the dossier it is read without one — the
    /// caller's command then refuses (`DENIED`), or changes nothing of it.
    static func find(_ ref: DossierRef, on connection: PostgresConnection, lock: Bool = false) throws -> DossierRecord {
        let condition: String
        let value: any PostgresEncodable
        switch ref {
        case .draft(let draft): (condition, value) = (" WHERE d.id = $1::int8", draft.value)
        case .archive(let number): (condition, value) = (" WHERE d.number = $1::text", number.description)
        }
        if lock, let row = try connection.query(columns + condition + " FOR UPDATE OF d", [value]).first {
            return try DossierRecord(row)
        }
        guard let row = try connection.query(columns + condition, [value]).first else {
            throw ProtocolError(.notFound, "no dossier \(ref)")
        }
        return try DossierRecord(row)
    }

    static func find(id: Int64, on connection: PostgresConnection, lock: Bool = false) throws -> DossierRecord {
        try find(.draft(DraftID(id)!), on: connection, lock: lock)
    }

    private init(_ row: PostgresRow) throws {
        id = try row.decode("id", as: Int64.self)
        departmentID = try row.decode("dept_id", as: Int64.self)
        departmentCode = try row.decode("dept", as: String.self)
        category = try row.decode("category", as: String.self)
        level = Level(rawValue: try row.decode("level", as: String.self)) ?? .topSecret
        scope = Scope(rawValue: try row.decode("scope", as: String.self)) ?? .company
        status = try row.decode("status", as: String.self)
        ownerID = try row.decode("owner_id", as: Int64.self)
        owner = try row.decode("owner", as: String.self)
        number = try row.decode("number", as: String?.self)
        contentVisible = try row.decode("content_visible", as: Bool.self)
    }

    /// Content refused for an entry the caller can see is `DENIED`. A reader who
    /// may ask for access (`reading`) is told how.
    func requireContent(reading reader: Actor? = nil) throws {
        try Self.requireContent(reference: reference, status: status, contentVisible: contentVisible, reading: reader)
    }

    /// The same refusal for a card read by a command's own SQL function
    /// (`dossier.dossier_show`), which returns no `DossierRecord`.
    static func requireContent(reference: String, status: String, contentVisible: Bool, reading reader: Actor?) throws {
        if status == "destroyed" || status == "purged" {
            throw ProtocolError(.conflict, "\(reference) is \(status); only its register entry remains")
        }
        guard contentVisible else {
            if let reader, Verb.accessRequest.spec.access.permits(reader.role), status == "filed" || status == "on_loan" {
                throw ProtocolError(
                    .denied,
                    "\(reference): only the register entry is visible to you; to read it, ask with ACCESS REQUEST \(reference) purpose=<why> [hours=<n>]")
            }
            throw ProtocolError(.denied, "\(reference): only the register entry is visible to you")
        }
    }

    /// Only the owner changes a draft.
    func requireOwner(_ actor: Actor, toDo what: String) throws {
        try requireContent()
        guard ownerID == actor.userID else { throw ProtocolError(.denied, "only the owner \(owner) may \(what)") }
    }

    /// The owner, the department's manager or a director.
    func requireManager(_ actor: Actor, toDo what: String) throws {
        try requireContent()
        let manages = actor.role == .manager && actor.departmentID == departmentID
        guard ownerID == actor.userID || manages || actor.role == .director else {
            throw ProtocolError(.denied, "only the owner, the department's manager or a director may \(what)")
        }
    }

    /// What the approval chain of a request about this dossier depends on.
    func policySubject(_ actor: Actor) -> ApprovalPolicy.Subject {
        actor.approvalSubject(level: level, scope: scope, departmentID: departmentID)
    }

    func requireStatus(_ allowed: String..., toDo what: String) throws {
        guard allowed.contains(status) else { throw ProtocolError(.conflict, "\(reference) is \(status); cannot \(what)") }
    }
}
