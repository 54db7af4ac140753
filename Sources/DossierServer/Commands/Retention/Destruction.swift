import DossierDomain
import DossierProtocol
import Postgres

/// 销毁: a dossier past retention, not on hold and not on loan, is destroyed
/// through approval (manager for `internal`, director for classified). The
/// last approval, in one transaction, purges the content (and the customer's
/// personal data once none of their dossiers remain), keeps the dossier as a
/// tombstone with its number — numbers are never reused — and writes the
/// permanent register row, which no role of the product can change.
enum Destruction {
    static func request(_ command: Destroy, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let dossier = try DossierRecord.find(command.ref, on: connection, lock: true)
        try dossier.requireContent()
        switch dossier.status {
        case "filed": break
        case "on_loan": throw ProtocolError(.conflict, "\(dossier.reference) is on loan")
        default: throw ProtocolError(.conflict, "\(dossier.reference) is \(dossier.status); only filed dossiers are destroyed")
        }
        try DossierRemoval.requireNoHold(dossier, on: connection)
        let due = try connection.query("""
            SELECT coalesce(r.retain_until < current_date, false) AS due,
                   coalesce(to_char(r.retain_until, 'YYYY-MM-DD'), 'unknown') AS until
              FROM dossiers d LEFT JOIN dossier_retention r ON r.dossier_id = d.id WHERE d.id = $1::int8
            """, [dossier.id]).firstRow()
        guard try due.decode("due", as: Bool.self) else {
            throw ProtocolError(.conflict, "\(dossier.reference) is kept until \(try due.decode("until", as: String.self))")
        }
        let pending = try connection.query(
            "SELECT 1 FROM approvals WHERE dossier_id = $1::int8 AND kind = 'destroy' AND status = 'pending'", [dossier.id])
        guard pending.rows.isEmpty else { throw ProtocolError(.conflict, "\(dossier.reference) already has a pending destruction") }
        let chain = try ApprovalPolicy.chain(for: .destroy, dossier.policySubject(actor))
        var payload = "{\"method\":"
        JSONResponseEncoder.appendString((command.method ?? .shred).rawValue, to: &payload)
        payload += "}"
        let approval = try ApprovalEngine.request(
            .destroy, chain: chain, departmentID: dossier.departmentID, target: .init(dossierID: dossier.id),
            payload: payload, reason: command.reason, actor: actor, on: connection)
        return .ok("\(approval) pending")
    }

    static func apply(_ approval: ApprovalEngine.Pending, on connection: PostgresConnection) throws {
        guard let dossierID = approval.dossierID else { throw ProtocolError(.internal, "destruction without a dossier") }
        let dossier = try DossierRecord.find(id: dossierID, on: connection, lock: true)
        try dossier.requireStatus("filed", toDo: "destroy")
        guard let number = dossier.number else { throw ProtocolError(.internal, "filed dossier without a number") }
        let customer = try connection.query(
            "SELECT customer_id FROM dossier_contents WHERE dossier_id = $1::int8", [dossierID]).first?.decode("customer_id", as: Int64.self)
        // The register row first, while the description can still be read: it
        // keeps the title, the customer's number, a company customer's name (a
        // person's name is personal data and goes with the purge) and the item
        // count, in columns and in `what`.
        try connection.query("""
            INSERT INTO destructions (dossier_id, number, category, level, dept_id, what, reason, method,
                                      requested_by, approved_by, approval_id, title, customer_number, customer_name, items)
            SELECT d.id, d.number, d.category, d.level, d.dept_id,
                   d.number || ' ' || d.category || ' ' || d.level || ' filed ' || coalesce(d.filed_year::text, '')
                       || ': ' || coalesce(c.title, '') || ', customer ' || coalesce(cu.number, '')
                       || coalesce(' ' || CASE WHEN cd.kind = 'company' THEN cu.name END, '')
                       || ', ' || n.items || ' item(s)',
                   $2::text, $3::jsonb ->> 'method', $4::int8,
                   (SELECT array_agg(s.decided_by ORDER BY s.step_no) FROM approval_steps s
                     WHERE s.approval_id = $5::int8 AND s.decision = 'approved'),
                   $5::int8, c.title, cu.number, CASE WHEN cd.kind = 'company' THEN cu.name END, n.items
              FROM dossiers d
              LEFT JOIN dossier_contents c ON c.dossier_id = d.id
              LEFT JOIN customers cu ON cu.id = c.customer_id
              LEFT JOIN customer_details cd ON cd.customer_id = cu.id
             CROSS JOIN LATERAL (SELECT count(*)::int4 AS items FROM items i WHERE i.dossier_id = d.id) n
             WHERE d.id = $1::int8
            """, [dossierID, approval.reason ?? "", approval.payload, approval.requesterID, approval.id])
        try connection.query("DELETE FROM items WHERE dossier_id = $1::int8", [dossierID])
        try connection.query("DELETE FROM dossier_contents WHERE dossier_id = $1::int8", [dossierID])
        try connection.query("SELECT dossier.retention_forget(ARRAY[$1::int8])", [dossierID])
        try connection.query("""
            UPDATE dossiers SET status = 'destroyed', destroyed_at = now(), updated_at = now(),
                                register_title = NULL, register_customer_id = NULL
             WHERE id = $1::int8
            """, [dossierID])
        if let customer {
            // Personal data goes once no dossier of the customer keeps content:
            // the ciphertexts, masks and blind indexes of the sealed fields, and
            // the customer's data key (crypto-shredding: what was sealed with it
            // elsewhere — change history, approval payloads, older backups — can
            // no longer be opened by anyone, the key file included).
            try connection.query("""
                UPDATE customer_details SET legal_rep = NULL, contact = NULL,
                       legacy_phone = NULL, legacy_email = NULL, legacy_address = NULL,
                       id_number_sealed = NULL, id_number_masked = NULL, id_number_index = NULL,
                       phone_sealed = NULL, phone_masked = NULL, phone_index = NULL,
                       email_sealed = NULL, email_masked = NULL, address_sealed = NULL, address_masked = NULL,
                       bank_account_sealed = NULL, bank_account_masked = NULL
                 WHERE customer_id = $1::int8
                   AND NOT EXISTS (SELECT 1 FROM dossier_contents c WHERE c.customer_id = $1::int8)
                """, [customer])
            try connection.query("""
                DELETE FROM customer_keys
                 WHERE customer_id = $1::int8 AND NOT EXISTS (SELECT 1 FROM dossier_contents c WHERE c.customer_id = $1::int8)
                """, [customer])
            try connection.query("""
                UPDATE customers SET purged_at = now()
                 WHERE id = $1::int8 AND NOT EXISTS (SELECT 1 FROM dossier_contents c WHERE c.customer_id = $1::int8)
                """, [customer])
        }
        try Audit.record(connection, action: "dossier.destroy", target: number, purpose: approval.reason ?? "")
    }

    static func register(_ command: DestructionList, on connection: PostgresConnection) throws -> Response {
        let rows = try connection.query("""
            SELECT x.number, x.category, x.level, dp.code AS dept, x.what, x.reason, x.method, r.login AS requested_by,
                   coalesce(x.title, '') AS title, coalesce(x.customer_number, '') AS customer,
                   coalesce(x.customer_name, '') AS customer_name, coalesce(x.items::text, '') AS items,
                   coalesce((SELECT string_agg(u.login, ',' ORDER BY a.ord) FROM unnest(x.approved_by) WITH ORDINALITY a(id, ord)
                              JOIN users u ON u.id = a.id), '') AS approved_by,
                   dossier.wire_time(x.destroyed_at) AS at
              FROM destructions x JOIN departments dp ON dp.id = x.dept_id JOIN users r ON r.id = x.requested_by
             WHERE $1::int4 IS NULL OR extract(year FROM x.destroyed_at)::int = $1::int4
             ORDER BY x.id
            """, [command.year]).rows
        return .rows(try rows.map { row in
            var out = Row()
            for column in ["number", "category", "level", "dept", "what", "reason", "method", "requested_by", "approved_by", "at",
                           "title", "customer", "customer_name", "items"] {
                out.append(column, try row.decode(column, as: String.self))
            }
            return out
        })
    }
}
