import Postgres

/// Orders computations of `retain_until` against changes of the rules: filing
/// and customer closing read the rules under a shared lock (they run
/// concurrently with each other), `RETENTION SET` changes them under an
/// exclusive one, so no dossier keeps a date computed from a rule that was
/// being replaced. Transaction-level: released at commit or rollback.
enum RetentionRulesLock {
    private static let key: Int64 = 0x7265_7465_6e74  // "retent"

    static func read(_ connection: PostgresConnection) throws {
        try connection.query("SELECT pg_advisory_xact_lock_shared($1::int8)", [key])
    }

    static func change(_ connection: PostgresConnection) throws {
        try connection.query("SELECT pg_advisory_xact_lock($1::int8)", [key])
    }
}
