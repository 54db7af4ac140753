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
        // Nobody visits a customer the company no longer works with.
        let cancelled = try FollowUps.cancelOpen(of: customer, reason: FollowUps.closedCustomerReason(closedOn: command.date.description),
                                                 actor: actor, on: connection)
        return cancelled.isEmpty ? .ok() : .ok("cancelled=\(cancelled.map { "V\($0)" }.joined(separator: ","))")
    }
}
