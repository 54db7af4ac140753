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
