import Postgres

/// Applies the catalogue's pending migrations to one database.
///
/// Each file runs in its own transaction and is recorded with its SHA-256 in
/// `dossier_meta.migrations`. A session advisory lock makes two processes
/// migrating the same database at once safe: the second waits, then finds
/// nothing left to do. An applied file whose text changed stops everything.
public struct Migrator: Sendable {
    public let migrations: [Migration]
    /// The policy file applied after the migrations (nil: none, for tests of
    /// the numbered files alone).
    public let policies: String?

    /// `policies` nil: the catalogue's `policies.sql` when `migrations` are
    /// the catalogue's versions (a part of them has not the tables it names).
    public init(migrations: [Migration] = MigrationCatalog.all, policies: String? = nil) {
        self.migrations = migrations
        self.policies = policies
            ?? (migrations.map(\.version) == MigrationCatalog.all.map(\.version) ? MigrationCatalog.policies : nil)
    }

    /// Arbitrary, fixed: the advisory lock key for "migrating this database".
    static let lockKey: Int64 = 0x646f_7373_6965_72  // "dossier"

    /// Applies what is pending and returns the versions it applied.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> [Int] {
        try connection.query("SELECT pg_advisory_lock($1::int8)", [Self.lockKey])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1::int8)", [Self.lockKey]) }

        try connection.execute(script: Self.bookkeeping)
        let checksums = try checksums(connection)
        let applied = try appliedMigrations(connection)
        switch SchemaStatus.compare(applied: applied, known: migrations, checksums: checksums) {
        case .current, .policiesOutdated:
            try applyPolicies(connection, force: false)
            return []
        case .ahead(_, let unknown):
            throw MigrationError.ahead(versions: unknown)
        case .modified(let version, let name):
            throw MigrationError.modified(version: version, name: name)
        case .behind(_, let pending):
            for version in pending {
                guard let migration = migrations.first(where: { $0.version == version }) else { continue }
                try connection.transaction { connection in
                    try connection.execute(script: migration.sql)
                    // A file may have switched to the owner role; record as the migrating login.
                    try connection.execute(script: "RESET ROLE; RESET search_path")
                    try connection.query(
                        "INSERT INTO dossier_meta.migrations (version, name, checksum) VALUES ($1::int4, $2::text, $3::text)",
                        [migration.version, migration.name, checksums[migration.version]]
                    )
                }
            }
            // Numbered files may have created policies of their own: the file goes on top again.
            try applyPolicies(connection, force: true)
            return pending
        }
    }

    /// Applies `policies` in one transaction when it differs from what the
    /// database recorded (or `force`), and records its checksum.
    private func applyPolicies(_ connection: PostgresConnection, force: Bool) throws {
        guard let policies else { return }
        let checksum = try Self.checksum(policies, connection)
        let recorded = try recordedPolicies(connection)
        guard force || recorded != checksum else { return }
        try connection.transaction { connection in
            try connection.execute(script: policies)
            try connection.execute(script: "RESET ROLE; RESET search_path")
            try connection.query("""
                INSERT INTO dossier_meta.policies (singleton, checksum) VALUES (true, $1::text)
                ON CONFLICT (singleton) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now(), applied_by = current_user
                """, [checksum])
            try connection.execute(script: "GRANT SELECT ON dossier_meta.policies TO dossier_app")
        }
    }

    private func recordedPolicies(_ connection: PostgresConnection) throws -> String? {
        let present = try connection.query("SELECT to_regclass('dossier_meta.policies') IS NOT NULL AS present")
        guard try present.rows.first?.decode("present", as: Bool.self) == true else { return nil }
        return try connection.query("SELECT checksum FROM dossier_meta.policies").rows.first?.decode("checksum", as: String.self)
    }

    private static func checksum(_ text: String, _ connection: PostgresConnection) throws -> String? {
        try connection.query("SELECT encode(sha256(convert_to($1::text, 'UTF8')), 'hex') AS sum", [text])
            .rows.first?.decode("sum", as: String.self)
    }

    /// Compares the database with the catalogue without changing anything
    /// (the daemon's start-up check; works with the daemon's own login).
    public func status(_ connection: PostgresConnection) throws -> SchemaStatus {
        let exists = try connection.query("SELECT to_regclass('dossier_meta.migrations') IS NOT NULL AS present")
        guard try exists.rows.first?.decode("present", as: Bool.self) == true else {
            return .behind(applied: 0, pending: migrations.map(\.version))
        }
        let status = SchemaStatus.compare(
            applied: try appliedMigrations(connection), known: migrations, checksums: try checksums(connection)
        )
        if case .current(let version) = status, let policies {
            let recorded = try recordedPolicies(connection)
            if try recorded != Self.checksum(policies, connection) { return .policiesOutdated(version: version) }
        }
        return status
    }

    private func appliedMigrations(_ connection: PostgresConnection) throws -> [AppliedMigration] {
        try connection.query("SELECT version, name, checksum FROM dossier_meta.migrations ORDER BY version").rows.map {
            AppliedMigration(
                version: try $0.decode("version", as: Int.self),
                name: try $0.decode("name", as: String.self),
                checksum: try $0.decode("checksum", as: String.self)
            )
        }
    }

    /// SHA-256 of each file, computed by PostgreSQL (no crypto library needed here).
    private func checksums(_ connection: PostgresConnection) throws -> [Int: String] {
        var result: [Int: String] = [:]
        for migration in migrations {
            let row = try connection.query(
                "SELECT encode(sha256(convert_to($1::text, 'UTF8')), 'hex') AS sum", [migration.sql]
            ).rows.first
            result[migration.version] = try row?.decode("sum", as: String.self)
        }
        return result
    }

    static let bookkeeping = """
        CREATE SCHEMA IF NOT EXISTS dossier_meta;
        CREATE TABLE IF NOT EXISTS dossier_meta.migrations (
            version     int PRIMARY KEY,
            name        text NOT NULL,
            checksum    text NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now(),
            applied_by  name NOT NULL DEFAULT current_user
        );
        CREATE TABLE IF NOT EXISTS dossier_meta.policies (
            singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            checksum    text NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now(),
            applied_by  name NOT NULL DEFAULT current_user
        );
        """
}
