/// An error from the database layer, as a value.
///
/// `kind` says who is to blame; `sqlState` (server errors, and connection
/// errors the server announced such as `57P01`) says what happened.
/// The remaining fields are copied from the server's error report
/// (`PQresultErrorField`) and are `nil` when the server did not send them.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// Who produced the error.
    public enum Kind: Sendable, Equatable {
        /// The server rejected the statement; `sqlState` is set.
        case server
        /// The connection could not be opened or was lost (refused, reset, server shut down).
        case connection
        /// Misuse of the API or a value that could not be encoded or decoded.
        case client
        /// No pooled connection became free within the pool's acquire timeout.
        case poolTimeout
        /// The pool was shut down before the job could run.
        case poolClosed
        /// The connection broke after `COMMIT` was sent and before its answer
        /// arrived: the transaction may or may not have committed.
        case commitOutcomeUnknown
        /// The caller cancelled the work before the statement was sent
        /// (SQLSTATE 57014, like a statement the server cancelled).
        case cancelled
    }

    public var kind: Kind
    /// Five-character SQLSTATE code, e.g. `23505`.
    public var sqlState: String?
    /// Primary message, without the severity prefix.
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var schema: String?
    public var table: String?
    public var column: String?
    /// `ERROR`, `FATAL`, … when the server sent one.
    public var severity: String?

    public init(
        kind: Kind,
        sqlState: String? = nil,
        message: String,
        detail: String? = nil,
        hint: String? = nil,
        constraint: String? = nil,
        schema: String? = nil,
        table: String? = nil,
        column: String? = nil,
        severity: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.schema = schema
        self.table = table
        self.column = column
        self.severity = severity
    }

    public var description: String {
        var text: String
        switch kind {
        case .server: text = "database error"
        case .connection: text = "database connection error"
        case .client: text = "database client error"
        case .poolTimeout: text = "database pool timeout"
        case .poolClosed: text = "database pool closed"
        case .commitOutcomeUnknown: text = "database commit outcome unknown"
        case .cancelled: text = "database work cancelled"
        }
        if let sqlState { text += " \(sqlState)" }
        text += ": \(message)"
        if let detail { text += " (detail: \(detail))" }
        if let hint { text += " (hint: \(hint))" }
        return text
    }

    // MARK: SQLSTATE helpers

    /// 23505 unique_violation.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// 23503 foreign_key_violation.
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    /// 23502 not_null_violation.
    public var isNotNullViolation: Bool { sqlState == "23502" }
    /// 23514 check_violation.
    public var isCheckViolation: Bool { sqlState == "23514" }
    /// 23P01 exclusion_violation.
    public var isExclusionViolation: Bool { sqlState == "23P01" }
    /// 40001 serialization_failure: retrying the whole transaction may succeed.
    public var isSerializationFailure: Bool { sqlState == "40001" }
    /// 40P01 deadlock_detected: retrying the whole transaction may succeed.
    public var isDeadlock: Bool { sqlState == "40P01" }
    /// 42501 insufficient_privilege (also raised by row-level security on writes).
    public var isInsufficientPrivilege: Bool { sqlState == "42501" }
    /// 55P03 lock_not_available (`NOWAIT`, `lock_timeout`).
    public var isLockNotAvailable: Bool { sqlState == "55P03" }
    /// 57014 query_canceled (`statement_timeout`, cancel request).
    public var isQueryCanceled: Bool { sqlState == "57014" }
    /// P0001 raise_exception from PL/pgSQL `RAISE EXCEPTION`.
    public var isRaiseException: Bool { sqlState == "P0001" }
    /// 40001 or 40P01: the transaction failed only because of concurrency.
    public var isTransient: Bool { isSerializationFailure || isDeadlock }

    static func client(_ message: String) -> PostgresError {
        PostgresError(kind: .client, message: message)
    }
}
