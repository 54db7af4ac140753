import DossierDomain
import DossierProtocol
import Postgres

/// `PENALTY SWEEP [date=]`: the automatic detection of RULES.md "Penalties",
/// also run daily by the scheduler.
enum ViolationSweep {
    /// What one sweep charged.
    struct Outcome: Sendable, Equatable {
        /// New penalty rows, by rule code.
        var chargedByRule: [String: Int] = [:]
        var charged: Int { chargedByRule.values.reduce(0, +) }
    }

    /// `PENALTY SWEEP` as a user command: role checks, then `sweep`.
    static func run(_ command: PenaltySweep, actor: Actor, on connection: PostgresConnection) throws -> Response {
        throw ProtocolError(.unknown, "PENALTY SWEEP is not available in this version")
    }

    /// Charges every automatic violation as of the end of `date` (nil: today)
    /// that is not charged yet. Runs inside the caller's transaction, which has
    /// been opened with `dossier.begin_system_command` (scheduler) or
    /// `dossier.begin_command` (a user's `PENALTY SWEEP`); idempotent.
    static func sweep(asOf date: CalendarDate?, on connection: PostgresConnection) throws -> Outcome {
        throw ProtocolError(.unknown, "PENALTY SWEEP is not available in this version")
    }
}
