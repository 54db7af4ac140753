import DossierDomain
import DossierProtocol
import Postgres

/// `ACCESS REQUEST` (查阅审批): someone outside a dossier's normal audience asks
/// with a purpose and a duration; the approved grant is a row that row-level
/// security honours until it expires — a condition on time in the policy, not
/// a cleanup job.
enum AccessGrants {
    static let defaultHours = 24

    static func request(_ command: AccessRequest, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let dossier = try DossierRecord.find(command.ref, on: connection)
        guard !dossier.contentVisible else { throw ProtocolError(.conflict, "you can read \(dossier.reference) already") }
        try dossier.requireStatus("filed", "on_loan", toDo: "grant access")
        // One waiting request per person and dossier (the unique index approvals_one_pending_access decides races).
        if let pending = try connection.query("""
            SELECT id FROM approvals
             WHERE dossier_id = $1::int8 AND requester_id = $2::int8 AND kind = 'access' AND status = 'pending'
            """, [dossier.id, actor.userID]).first {
            throw ProtocolError(.conflict,
                                "\(dossier.reference) already has your pending access request A\(try pending.decode("id", as: Int64.self))")
        }
        let chain = try ApprovalPolicy.chain(for: .access, dossier.policySubject(actor))
        let hours = command.hours ?? defaultHours
        var payload = "{\"hours\":\(hours),\"purpose\":"
        JSONResponseEncoder.appendString(command.purpose, to: &payload)
        payload += "}"
        let approval = try ApprovalEngine.request(
            .access, chain: chain, departmentID: dossier.departmentID, target: .init(dossierID: dossier.id),
            payload: payload, reason: command.purpose, actor: actor, on: connection)
        return .ok("\(approval) pending")
    }

    /// The grant starts when the last approval is given.
    static func apply(_ approval: ApprovalEngine.Pending, on connection: PostgresConnection) throws {
        try connection.query("""
            INSERT INTO access_grants (dossier_id, dept_id, grantee_id, approval_id, purpose, starts_at, expires_at)
            VALUES ($1::int8, $2::int8, $3::int8, $4::int8, $5::jsonb ->> 'purpose', now(),
                    now() + make_interval(hours => ($5::jsonb ->> 'hours')::int))
            """, [approval.dossierID, approval.departmentID, approval.requesterID, approval.id, approval.payload])
        try Audit.record(connection, action: "access.grant", target: "D\(approval.dossierID ?? 0)", detail: "\(approval.approvalID)")
    }
}

extension AccessGrants {
    /// `ACCESS LIST [mine|all]`: grants as row security shows them (one's own;
    /// a manager's department; a director's company), live ones first.
    static func list(_ command: AccessList, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let rows = try connection.query("""
            SELECT 'G' || g.id AS "grant", coalesce(d.number, 'D' || d.id) AS ref, u.login AS grantee, dp.code AS dept,
                   g.purpose, dossier.wire_time(g.starts_at) AS starts, dossier.wire_time(g.expires_at) AS expires,
                   CASE WHEN g.revoked_at IS NOT NULL THEN 'revoked'
                        WHEN g.expires_at <= now() THEN 'expired' ELSE 'active' END AS status,
                   coalesce('A' || g.approval_id, '') AS approval,
                   coalesce(dossier.wire_time(g.revoked_at), '') AS revoked_at, coalesce(r.login, '') AS revoked_by
              FROM access_grants g
              JOIN dossiers d ON d.id = g.dossier_id
              JOIN users u ON u.id = g.grantee_id
              JOIN departments dp ON dp.id = g.dept_id
              LEFT JOIN users r ON r.id = g.revoked_by
             WHERE $1::bool OR g.grantee_id = $2::int8
             ORDER BY (g.revoked_at IS NULL AND g.expires_at > now()) DESC, g.id DESC
             LIMIT $3::int
            """, [command.scope == .all, actor.userID, command.limit ?? 100]).rows
        return .rows(try rows.map {
            try Row($0, columns: ["grant", "ref", "grantee", "dept", "purpose", "starts", "expires", "status", "approval",
                                  "revoked_at", "revoked_by"])
        })
    }

    /// `ACCESS REVOKE G<n>`: the grantee gives it up, or the department's manager
    /// or a director ends it; the row stays (with who and why), the policy stops
    /// honouring it at once.
    static func revoke(_ command: AccessRevoke, actor: Actor, on connection: PostgresConnection) throws -> Response {
        guard let grant = try connection.query("""
            SELECT g.grantee_id, g.dept_id, g.revoked_at IS NOT NULL AS revoked, g.expires_at <= now() AS expired,
                   coalesce(d.number, 'D' || d.id) AS ref
              FROM access_grants g JOIN dossiers d ON d.id = g.dossier_id
             WHERE g.id = $1::int8 FOR UPDATE OF g
            """, [command.grant.value]).first
        else { throw ProtocolError(.notFound, "no grant \(command.grant)") }
        let grantDepartment = try grant.decode("dept_id", as: Int64.self)
        let manages = actor.role == .manager && actor.departmentID == grantDepartment
        guard try grant.decode("grantee_id", as: Int64.self) == actor.userID || manages || actor.role == .director else {
            throw ProtocolError(.denied, "only the grantee, the department's manager or a director revokes \(command.grant)")
        }
        if try grant.decode("revoked", as: Bool.self) { throw ProtocolError(.conflict, "\(command.grant) is revoked already") }
        if try grant.decode("expired", as: Bool.self) { throw ProtocolError(.conflict, "\(command.grant) has expired") }
        try connection.query("""
            UPDATE access_grants SET revoked_at = now(), revoked_by = $2::int8, revoke_reason = $3::text WHERE id = $1::int8
            """, [command.grant.value, actor.userID, command.reason])
        try Audit.record(connection, action: "access.revoke", target: try grant.decode("ref", as: String.self),
                         purpose: command.reason ?? "", detail: command.grant.description)
        return .ok("\(command.grant) revoked")
    }
}
