import DossierDomain
import DossierProtocol
import Postgres

/// `CUSTOMER CLOSE` (客户终止合作): records the end of the relationship, which
/// starts the retention of the customer's dossiers whose rule counts from
/// closing (`KH`, `XY` by default) — recomputed in one statement, not row by row.
enum CustomerClosing {
    static func close(_ command: CustomerClose, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let customer = try CustomerRecord.forChange(command.customer, actor: actor, toDo: "closes", on: connection)
        guard !customer.closed else { throw ProtocolError(.conflict, "\(command.customer) is closed already") }
        let id = customer.id
        try connection.query("""
            UPDATE customers SET closed_on = $2::date, closed_reason = $3::text, updated_at = now() WHERE id = $1::int8
            """, [id, command.date.description, command.reason])
        try RetentionRulesLock.read(connection)
        // Every filed dossier of this customer whose rule counts from closing,
        // including those the closer cannot see.
        try connection.query("SELECT dossier.retention_close_customer($1::int8)", [id])
        try Audit.record(connection, action: "customer.close", target: command.customer.description, purpose: command.reason)
        // Nobody visits a customer the company no longer works with: its open
        // follow-up visits are cancelled, in the closer's name (who may cancel
        // them: the owner, the department's manager, a director), each audited
        // as FOLLOWUP CANCEL would be.
        let reason = cancelReason(closedOn: command.date.description)
        let cancelled = try connection.query("""
            UPDATE followups f SET status = 'cancelled', cancelled_by = $2::int8, cancelled_at = now(), cancel_reason = $3::text
              FROM users u
             WHERE f.customer_id = $1::int8 AND f.status = 'open' AND u.id = f.assignee_id
            RETURNING 'V' || f.id AS visit, u.login AS assignee
            """, [id, actor.userID, reason]).rows
        var visits: [String] = []
        for row in cancelled {
            let visit = try row.decode("visit", as: String.self)
            try Audit.record(connection, action: "followup.cancel", target: visit, purpose: reason,
                             detail: "\(command.customer) assignee=\(try row.decode("assignee", as: String.self))")
            visits.append(visit)
        }
        return visits.isEmpty ? .ok() : .ok("cancelled=\(visits.sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }.joined(separator: ","))")
    }

    /// Why a closed customer's open visits were cancelled (a row's sentence in `FOLLOWUP LIST`).
    static func cancelReason(closedOn day: String) -> String { "the customer was closed on \(day)" }
}
