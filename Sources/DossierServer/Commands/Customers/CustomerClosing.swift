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
        // Every filed dossier of this customer whose rule counts from closing.
        try connection.query("""
            UPDATE dossiers d
               SET retain_until = ($2::date + make_interval(years => r.years))::date, updated_at = now()
              FROM dossier_contents c, retention_rules r
             WHERE c.dossier_id = d.id AND c.customer_id = $1::int8 AND r.category = d.category AND r.trigger = 'closed'
               AND d.status IN ('filed', 'on_loan')
            """, [id, command.date.description])
        try Audit.record(connection, action: "customer.close", target: command.customer.description, purpose: command.reason)
        return .ok()
    }
}
