import DossierDomain
import DossierProtocol
import Postgres

/// `PENALTY RULES/RECORD/LIST/WAIVE/REPORT` (RULES.md "Penalties").
enum Penalties {
    static func rules(actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "PENALTY RULES is not available in this version")
    }

    static func record(_ command: PenaltyRecord, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "PENALTY RECORD is not available in this version")
    }

    static func list(_ command: PenaltyList, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "PENALTY LIST is not available in this version")
    }

    static func waive(_ command: PenaltyWaive, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "PENALTY WAIVE is not available in this version")
    }

    static func report(month: YearMonth, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "PENALTY REPORT is not available in this version")
    }
}
