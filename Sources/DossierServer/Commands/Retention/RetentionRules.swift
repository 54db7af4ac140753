import DossierDomain
import DossierProtocol
import Postgres

/// `RETENTION LIST/SET/DUE` (being written: issue 5).
enum RetentionRules {
    static func list(on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "RETENTION LIST is not available in this version")
    }

    static func set(_ command: RetentionSet, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "RETENTION SET is not available in this version")
    }

    static func due(_ command: RetentionDue, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "RETENTION DUE is not available in this version")
    }
}
