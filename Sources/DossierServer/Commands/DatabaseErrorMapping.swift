import DossierProtocol
import Logging
import Postgres

/// Maps what went wrong under a command to the protocol's error codes. Details
/// of unexpected failures go to the server log only.
enum DatabaseErrorMapping {
    /// Unique constraints a user can run into, said in their words.
    static let duplicateMessages: [String: String] = [
        "departments_code_key": "department exists already",
        "users_login_key": "login exists already",
        "customer_details_credit_code_key": "a customer with this credit code exists already",
        "loans_one_active_per_dossier": "dossier already has an active loan",
        "legal_holds_one_active": "dossier is already on hold",
        "approvals_one_pending_extension": "loan already has a pending extension",
    ]

    static func protocolError(for error: any Error, logger: Logger) -> ProtocolError {
        if let error = error as? ProtocolError { return error }
        guard let error = error as? PostgresError else {
            logger.error("unexpected error", metadata: ["error": "\(error)"])
            return ProtocolError(.internal, "internal error; nothing was changed")
        }
        switch error.kind {
        case .connection, .poolTimeout, .poolClosed:
            logger.warning("database unavailable", metadata: ["error": "\(error)"])
            return ProtocolError(.unavailable, "database unavailable; nothing was changed, retry")
        case .client:
            logger.error("database client error", metadata: ["error": "\(error)"])
            return ProtocolError(.internal, "internal error; nothing was changed")
        case .server:
            switch error.sqlState {
            case "23505":
                return ProtocolError(.conflict, duplicateMessages[error.constraint ?? ""] ?? "duplicate: \(error.constraint ?? "already exists")")
            case "23514" where error.constraint == "dossiers_legal_hold":
                return ProtocolError(.conflict, "on legal hold")
            case "40001", "40P01", "55P03":
                return ProtocolError(.conflict, "concurrent change; nothing was changed, retry")
            case "28000":
                return ProtocolError(.auth, "account is not active")
            case "57P01", "57P02", "57P03", "08000", "08003", "08006":
                return ProtocolError(.unavailable, "database unavailable; nothing was changed, retry")
            default:
                logger.error("database error", metadata: [
                    "sqlstate": "\(error.sqlState ?? "-")", "message": "\(error.message)",
                    "detail": "\(error.detail ?? "")", "constraint": "\(error.constraint ?? "")",
                ])
                return ProtocolError(.internal, "internal error; nothing was changed")
            }
        }
    }
}
