import DossierProtocol
import Logging
import Postgres

/// Maps what went wrong under a command to the protocol's error codes. Details
/// of unexpected failures go to the server log only.
///
/// "Nothing was changed" is said only where it is certain: the transaction
/// failed before `COMMIT` was sent, or PostgreSQL refused the `COMMIT`. When the
/// connection broke while `COMMIT` was in flight, the answer says the outcome
/// is unknown and names what the command would have answered.
enum DatabaseErrorMapping {
    /// Unique constraints a user can run into, said in their words.
    static let duplicateMessages: [String: String] = [
        "departments_code_key": "department exists already",
        "users_login_key": "login exists already",
        "customer_details_credit_code_key": "a customer with this credit code exists already",
        "loans_one_active_per_dossier": "dossier already has an active loan",
        "legal_holds_one_active": "dossier is already on hold",
        "approvals_one_pending_extension": "loan already has a pending extension",
        "approvals_one_pending_access": "you already have a pending access request for this dossier",
    ]

    static let unavailable = ProtocolError(.unavailable, "database unavailable; nothing was changed, retry")

    static func protocolError(
        for error: any Error, answerIfCommitted: Response? = nil, shuttingDown: Bool = false, logger: Logger
    ) -> ProtocolError {
        if let error = error as? ProtocolError { return error }
        if error is CancellationError {
            // Withdrawn from the pool's queue: nothing of it ran.
            return shuttingDown
                ? ProtocolError(.shutdown, "server is stopping; the command was cancelled and nothing was changed")
                : ProtocolError(.unavailable, "the command was cancelled; nothing was changed, retry")
        }
        guard let error = error as? PostgresError else {
            logger.error("unexpected error", metadata: ["error": "\(error)"])
            return ProtocolError(.internal, "internal error; nothing was changed")
        }
        switch error.kind {
        case .commitOutcomeUnknown:
            logger.error("commit outcome unknown", metadata: ["error": "\(error)"])
            // Three messages (with each its Chinese template; TranslationTests' examples).
            var message = "outcome unknown: the database connection broke during COMMIT; check before retrying"
            if let answer = answerIfCommitted, case .ok(let text) = answer.final {
                message += text.isEmpty ? " (had it committed, the answer was OK)" : " (had it committed, the answer was: OK \(text))"
            }
            return ProtocolError(.unavailable, message)
        case .cancelled:
            return cancelled(shuttingDown: shuttingDown)
        case .poolClosed where shuttingDown:
            return ProtocolError(.shutdown, "server is stopping; nothing was changed")
        case .connection, .poolTimeout, .poolClosed:
            logger.warning("database unavailable", metadata: ["error": "\(error)"])
            return unavailable
        case .client:
            logger.error("database client error", metadata: ["error": "\(error)"])
            return ProtocolError(.internal, "internal error; nothing was changed")
        case .server:
            return serverError(error, shuttingDown: shuttingDown, logger: logger)
        }
    }

    private static func cancelled(shuttingDown: Bool) -> ProtocolError {
        shuttingDown
            ? ProtocolError(.shutdown, "server is stopping; the command was cancelled and nothing was changed")
            : ProtocolError(.unavailable, "the command took too long and was cancelled; nothing was changed, retry")
    }

    private static func serverError(_ error: PostgresError, shuttingDown: Bool, logger: Logger) -> ProtocolError {
        switch error.sqlState {
        case "23505":
            return ProtocolError(.conflict, duplicateMessages[error.constraint ?? ""] ?? "duplicate: \(error.constraint ?? "already exists")")
        case "23514" where error.constraint == "dossiers_legal_hold":
            return ProtocolError(.conflict, "on legal hold")
        case "23514", "23502":
            // The protocol layer mirrors the schema's limits (`CommandTable`);
            // a value that still reaches a CHECK is refused by name, not as a bug.
            logger.warning("constraint refused a value", metadata: ["constraint": "\(error.constraint ?? "-")", "message": "\(error.message)"])
            return ProtocolError(.args, "invalid value: \(ConstraintNames.describe(error))")
        case "22001":
            guard let column = error.column else { return ProtocolError(.args, "a value is too long") }
            return ProtocolError(.args, "a value is too long for \(column)")
        case "22003", "22008", "22007", "22P02", "22023":
            return ProtocolError(.args, "a value is out of range or malformed: \(error.message)")
        case "40001", "40P01", "55P03":
            return ProtocolError(.conflict, "concurrent change; nothing was changed, retry")
        case "57014":
            // statement_timeout, or our own cancel at the shutdown deadline.
            return cancelled(shuttingDown: shuttingDown)
        case "25P03":
            return ProtocolError(.unavailable, "the command took too long between statements; nothing was changed, retry")
        case "28000":
            return ProtocolError(.auth, "account is not active")
        case "57P01", "57P02", "57P03", "08000", "08003", "08006":
            return unavailable
        default:
            logger.error("database error", metadata: [
                "sqlstate": "\(error.sqlState ?? "-")", "message": "\(error.message)",
                "detail": "\(error.detail ?? "")", "constraint": "\(error.constraint ?? "")",
            ])
            return ProtocolError(.internal, "internal error; nothing was changed")
        }
    }
}

/// Says which field a CHECK or NOT NULL constraint guards, from its name
/// (`customers_name_check` → `name`), for the rare value the command table
/// did not already refuse.
enum ConstraintNames {
    static func describe(_ error: PostgresError) -> String {
        if error.sqlState == "23502", let column = error.column { return "\(column) is required" }
        guard let constraint = error.constraint else { return "refused by the database" }
        var name = Substring(constraint)
        if let table = error.table, name.hasPrefix(table + "_") { name = name.dropFirst(table.count + 1) }
        if name.hasSuffix("_check") { name = name.dropLast("_check".count) }
        return "\(name) is out of range (\(constraint))"
    }
}
