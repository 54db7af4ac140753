import Postgres

/// Applies the catalogue's pending migrations to one database.
///
/// Each file runs in its own transaction and is recorded with its SHA-256 in
/// `dossier_meta.migrations`. A session advisory lock makes two processes
/// migrating the same database at once safe: the second waits, then finds
/// nothing left to do. An applied file whose text changed stops everything.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(migrations: [Migration] = MigrationCatalog.all) {
        self.migrations = migrations
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
        case .current:
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
            return pending
        }
    }

    /// Compares the database with the catalogue without changing anything
    /// (the daemon's start-up check; works with the daemon's own login).
    public func status(_ connection: PostgresConnection) throws -> SchemaStatus {
        let exists = try connection.query("SELECT to_regclass('dossier_meta.migrations') IS NOT NULL AS present")
        guard try exists.rows.first?.decode("present", as: Bool.self) == true else {
            return .behind(applied: 0, pending: migrations.map(\.version))
        }
        return SchemaStatus.compare(
            applied: try appliedMigrations(connection), known: migrations, checksums: try checksums(connection)
        )
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
        """
}
