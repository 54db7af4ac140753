import DossierDomain
import DossierProtocol
import Postgres

/// `PENALTY SWEEP [date=]`: the automatic detection of RULES.md "Penalties",
/// also run daily by the scheduler.
enum ViolationSweep {
    static func run(_ command: PenaltySweep, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "PENALTY SWEEP is not available in this version")
    }
}
