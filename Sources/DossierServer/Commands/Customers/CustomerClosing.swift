import DossierDomain
import DossierProtocol
import Postgres

/// `CUSTOMER CLOSE` (客户终止合作): records the end of the relationship, which
/// starts the retention of the customer's dossiers whose rule counts from
/// closing (`KH`, `XY` by default) — recomputed in one statement, not row by row.
enum CustomerClosing {
    static func close(_ command: CustomerClose, actor: Actor, on connection: PostgresConnection) throws -> Response {
        guard let customer = try connection.query("""
            SELECT c.id, c.dept_id, c.owner_id, c.closed_on IS NOT NULL AS closed,
                   EXISTS (SELECT 1 FROM customer_details d WHERE d.customer_id = c.id) AS details
              FROM customers c WHERE c.number = $1::text FOR UPDATE OF c
            """, [command.customer.description]).first
        else { throw ProtocolError(.notFound, "no customer \(command.customer)") }
        guard try customer.decode("details", as: Bool.self) else {
            throw ProtocolError(.denied, "\(command.customer): only the directory entry is visible to you")
        }
        let department = try customer.decode("dept_id", as: Int64.self)
        let owner = try customer.decode("owner_id", as: Int64.self)
        let manages = actor.role == .manager && actor.departmentID == department
        guard owner == actor.userID || manages || actor.role == .director else {
            throw ProtocolError(.denied, "only the owner, the department's manager or a director closes \(command.customer)")
        }
        guard try customer.decode("closed", as: Bool.self) == false else {
            throw ProtocolError(.conflict, "\(command.customer) is closed already")
        }
        let id = try customer.decode("id", as: Int64.self)
        try connection.query("""
            UPDATE customers SET closed_on = $2::date, closed_reason = $3::text, updated_at = now() WHERE id = $1::int8
            """, [id, command.date.description, command.reason])
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
