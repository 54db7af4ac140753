import DossierDomain
import DossierProtocol
import Postgres

/// `HOLD PLACE/RELEASE` (being written: issue 5).
enum LegalHolds {
    static func place(_ command: RefWithReason, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "HOLD PLACE is not available in this version")
    }

    static func release(_ command: RefWithReason, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "HOLD RELEASE is not available in this version")
    }
}
