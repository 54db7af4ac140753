import DossierDomain
import DossierProtocol
import Postgres

/// `AUDIT LIST` and `AUDIT VERIFY` (RULES.md "Audit").
enum AuditTrail {
    static func list(_ command: AuditList, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "AUDIT LIST is not available in this version")
    }

    static func verify(actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "AUDIT VERIFY is not available in this version")
    }
}
