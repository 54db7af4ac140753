import DossierDomain
import DossierProtocol
import Postgres

/// `DOSSIER EDIT`, `DOSSIER HISTORY`: a filed dossier changes only through an
/// approved request, and every applied change leaves a history row (field,
/// old, new, reason, requester, approver, time). Nothing is updated in place
/// without a record.
enum DossierEdits {
    static func request(_ command: DossierEdit, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let dossier = try DossierRecord.find(command.ref, on: connection, lock: true)
        try dossier.requireManager(actor, toDo: "edit it")
        try dossier.requireStatus("filed", "on_loan", toDo: "edit (only filed dossiers are edited, through approval)")
        let chain = try ApprovalPolicy.chain(for: .edit, dossier.policySubject(actor))
        let approval = try ApprovalEngine.request(
            .edit, chain: chain, departmentID: dossier.departmentID, target: .init(dossierID: dossier.id),
            payload: ChangeSet.payload(command.changes), reason: command.reason, actor: actor, on: connection)
        return .ok("\(approval) pending")
    }

    /// Applies the approved changes and writes their history rows.
    static func apply(_ approval: ApprovalEngine.Pending, approver: Actor, on connection: PostgresConnection) throws {
        guard let dossierID = approval.dossierID else { throw ProtocolError(.internal, "edit without a dossier") }
        let changes = try connection.query(
            "SELECT key, value FROM jsonb_each_text($1::jsonb -> 'changes')", [approval.payload]).rows
        for change in changes {
            let field = try change.decode("key", as: String.self)
            let value = try change.decode("value", as: String.self)
            let old: String?
            switch field {
            case "title", "location":
                old = try connection.query(
                    "SELECT CASE $2::text WHEN 'title' THEN title ELSE location END AS old FROM dossier_contents WHERE dossier_id = $1::int8",
                    [dossierID, field]).first?.decode("old", as: String?.self)
                try connection.query("""
                    UPDATE dossier_contents
                       SET title = CASE $2::text WHEN 'title' THEN $3::text ELSE title END,
                           location = CASE $2::text WHEN 'location' THEN $3::text ELSE location END,
                           updated_at = now()
                     WHERE dossier_id = $1::int8
                    """, [dossierID, field, value])
            case "level", "scope":
                old = try connection.query(
                    "SELECT CASE $2::text WHEN 'level' THEN level ELSE scope END AS old FROM dossiers WHERE id = $1::int8",
                    [dossierID, field]).first?.decode("old", as: String?.self)
                try connection.query("""
                    UPDATE dossiers
                       SET level = CASE $2::text WHEN 'level' THEN $3::text ELSE level END,
                           scope = CASE $2::text WHEN 'scope' THEN $3::text ELSE scope END,
                           updated_at = now()
                     WHERE id = $1::int8
                    """, [dossierID, field, value])
            default:
                throw ProtocolError(.internal, "unknown dossier field \(field) in \(approval.approvalID)")
            }
            try connection.query("""
                INSERT INTO change_history (dossier_id, dept_id, field, old_value, new_value, reason, requested_by,
                                            approved_by, approval_id)
                VALUES ($1::int8, $2::int8, $3::text, $4::text, $5::text, $6::text, $7::int8, $8::int8, $9::int8)
                """, [dossierID, approval.departmentID, field, old, value, approval.reason ?? "", approval.requesterID,
                      approver.userID, approval.id])
        }
        try Audit.record(connection, action: "dossier.edit", target: "D\(dossierID)", detail: "\(approval.approvalID)")
    }

    static func history(_ ref: DossierRef, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let dossier = try DossierRecord.find(ref, on: connection)
        try dossier.requireContent(reading: actor)
        let rows = try connection.query("""
            SELECT dossier.wire_time(h.changed_at) AS at, h.field,
                   coalesce(h.old_value, '') AS old, coalesce(h.new_value, '') AS new, h.reason,
                   r.login AS by, coalesce(a.login, '') AS approved_by
              FROM change_history h JOIN users r ON r.id = h.requested_by LEFT JOIN users a ON a.id = h.approved_by
             WHERE h.dossier_id = $1::int8 ORDER BY h.id
            """, [dossier.id]).rows.map { row -> Row in
            var out = Row()
            for column in ["at", "field", "old", "new", "reason", "by", "approved_by"] {
                out.append(column, try row.decode(column, as: String.self))
            }
            return out
        }
        // A read of the dossier's content, logged like DOSSIER SHOW (RULES.md "Dossiers").
        try Audit.record(connection, action: "dossier.history", target: dossier.reference)
        return .rows(rows)
    }
}
