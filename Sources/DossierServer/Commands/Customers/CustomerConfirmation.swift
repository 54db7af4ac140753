import DossierDomain
import DossierProtocol
import Postgres

/// `CUSTOMER CONFIRM <id> [note=]`: the owner's monthly refresh when nothing
/// changed (RULES.md: customer data refreshed at least monthly by its owner).
/// No approval — nothing changes but the refresh time, which resets
/// `STALE_CUSTOMER` exactly as an applied change does. The confirmation is a
/// change-history row (field `confirmed`, the note as reason) and an audit row.
enum CustomerConfirmation {
    static func confirm(_ command: CustomerConfirm, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let customer = try CustomerRecord.forChange(command.customer, actor: actor, toDo: "confirms", on: connection)
        // The refresh is the owner's duty; a manager changes data with CUSTOMER SET.
        guard customer.isOwned(by: actor) else {
            throw ProtocolError(.denied, "only the customer's owner confirms \(command.customer)")
        }
        guard !customer.closed else { throw ProtocolError(.conflict, "\(command.customer) is closed; it needs no refresh") }
        let refreshBy = try connection.query("""
            UPDATE customers SET updated_at = now() WHERE id = $1::int8
            RETURNING to_char(now() + interval '1 month', 'YYYY-MM-DD') AS refresh_by
            """, [customer.id]).firstRow().decode("refresh_by", as: String.self)
        try connection.query("""
            INSERT INTO change_history (customer_id, dept_id, field, old_value, new_value, reason, requested_by)
            VALUES ($1::int8, $2::int8, 'confirmed', NULL, NULL, $3::text, $4::int8)
            """, [customer.id, customer.departmentID, command.note ?? "", actor.userID])
        try Audit.record(connection, action: "customer.confirm", target: command.customer.description, purpose: command.note ?? "")
        return .ok("\(command.customer) refresh_by=\(refreshBy)")
    }
}
