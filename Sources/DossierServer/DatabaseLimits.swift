import Postgres

/// Bounds on every database session of the daemon, so no command can hold a
/// connection, a lock or a transaction for long. Work that is long by nature
/// (`RETENTION SET`, the penalty sweep, `AUDIT VERIFY`, the daily jobs) raises
/// its own statement limit for its transaction only (`LongRunningWork`).
public struct DatabaseLimits: Sendable, Equatable {
    /// A statement running longer is cancelled (`statement_timeout`).
    public var statementTimeout: Duration
    /// Waiting longer for a row or table lock fails (`lock_timeout`).
    public var lockTimeout: Duration
    /// A transaction left idle longer ends its session (`idle_in_transaction_session_timeout`).
    public var idleInTransactionTimeout: Duration

    public init(
        statementTimeout: Duration = .seconds(30), lockTimeout: Duration = .seconds(10),
        idleInTransactionTimeout: Duration = .seconds(60)
    ) {
        self.statementTimeout = statementTimeout
        self.lockTimeout = lockTimeout
        self.idleInTransactionTimeout = idleInTransactionTimeout
    }

    /// The pool's session settings. JIT off: commands are short, and row-level
    /// security's subplans inflate cost estimates past `jit_above_cost`, so
    /// PostgreSQL would compile for a second or more to run a query of
    /// milliseconds (measured on RETENTION DUE: 1.1 s → 4 ms).
    public var sessionSettings: [String: String] {
        [
            "jit": "off",
            "statement_timeout": Self.milliseconds(statementTimeout),
            "lock_timeout": Self.milliseconds(lockTimeout),
            "idle_in_transaction_session_timeout": Self.milliseconds(idleInTransactionTimeout),
        ]
    }

    static func milliseconds(_ duration: Duration) -> String {
        "\(duration.inMilliseconds)ms"
    }
}

/// Raises the statement limit for the current transaction only, for work that
/// is long by nature. Said where the work is, so a reader sees which commands
/// may run long.
enum LongRunningWork {
    /// Generous for the largest measured runs (`RETENTION SET` over 5,000,000
    /// dossiers: 15–50 s; the first penalty sweep over 500,000 loans: 6 s).
    static let statementTimeout: Duration = .seconds(15 * 60)

    static func allow(on connection: PostgresConnection, upTo limit: Duration = statementTimeout) throws {
        try connection.query(
            "SELECT set_config('statement_timeout', $1::text, true)", [DatabaseLimits.milliseconds(limit)])
    }
}
