import ArgumentParser
import DossierBackup
import Foundation
import Postgres

/// `dossierd backup --to <dir>`.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the dossier database into a new directory (pg_dump directory format, manifest with checksums).",
        discussion: """
            With --database-url, connect as a superuser (row-level security hides rows from other logins). \
            With no database configured, backs up the embedded cluster of --data-dir (started for the backup if it is not running).
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Directory to create (must not exist, or be empty).")
    var to: String

    @Option(help: "Tables dumped in parallel.")
    var jobs = 2

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let manifest = try withBackupConnection(database, creating: false) { conninfo in
            try Backup.run(conninfo: conninfo, to: to, jobs: jobs) { print($0) }
        }
        let bytes = manifest.files.reduce(Int64(0)) { $0 + $1.bytes }
        print("""
            backup of \(manifest.database) written to \(to): \(manifest.files.count) files, \(bytes) bytes, \
            schema version \(manifest.inventory.schemaVersion), \(manifest.inventory.tables.count) tables, \
            \(manifest.inventory.totalRows) rows, \(manifest.inventory.auditRows) audit rows, snapshot at \(manifest.createdAt.ISO8601Format())
            """)
    }
}

/// `dossierd restore --from <dir>`.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into an empty database (or a new embedded data directory), then check it.",
        discussion: """
            Refuses a backup whose files do not match the manifest's checksums. Creates the roles the database needs, \
            restores, then checks every table's row count, the audit chain heads and the audit hash chains. \
            With --database-url, the database must exist, be empty, and the login be a superuser.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Backup directory written by `dossierd backup`.")
    var from: String

    @Option(help: "Tables restored in parallel.")
    var jobs = 2

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        // Nothing is created (not even an embedded cluster) for a damaged backup.
        _ = try Restore.verify(directory: from)
        let report = try withBackupConnection(database, creating: true) { conninfo in
            try Restore.run(from: from, conninfo: conninfo, jobs: jobs) { print($0) }
        }
        print(report)
        // The keys are never in a backup (by design): said here, where the operator is.
        switch database.resolve() {
        case .embedded(let directory):
            print("""
                before `dossierd serve --data-dir \(directory)`: copy the installation's data key file to \(directory)/data.keys \
                and its audit key to \(directory)/audit.key (neither is in a backup; serve refuses to start without them)
                """)
        case .conninfo:
            print("before `dossierd serve` on it: give the daemons the installation's data key file (--data-key-file) and audit key (--audit-key-file); neither is in a backup")
        }
    }
}

/// Runs `body` with a superuser conninfo of the configured database. For the
/// embedded cluster: starts it (creating it and an empty `dossier` database
/// first when `creating`), and stops it afterwards unless it was running.
private func withBackupConnection<T>(_ database: DatabaseOptions, creating: Bool, _ body: (String) throws -> T) throws -> T {
    switch database.resolve() {
    case .conninfo(let conninfo):
        return try body(conninfo)
    case .embedded(let directory):
        let embedded = EmbeddedDatabase(dataDirectory: directory)
        let exists = FileManager.default.fileExists(atPath: embedded.cluster.dataDirectory + "/PG_VERSION")
        guard exists || creating else {
            throw ValidationError("no embedded database in \(directory) (give --data-dir, or --database-url)")
        }
        if try embedded.cluster.initializeIfNeeded() {
            print("created a private PostgreSQL cluster in \(embedded.cluster.dataDirectory)")
        }
        let wasRunning = try embedded.cluster.isRunning()
        try embedded.cluster.start()
        defer { if !wasRunning { try? embedded.stop() } }
        if creating {
            let postgres = try PostgresConnection(conninfo: embedded.cluster.conninfo(user: "postgres", database: "postgres"))
            defer { postgres.close() }
            let present = try postgres.query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1::text) AS e",
                                             [EmbeddedDatabase.databaseName]).rows[0].decode("e", as: Bool.self)
            if !present {
                try postgres.execute(script: "CREATE DATABASE \(EmbeddedDatabase.databaseName) ENCODING 'UTF8' TEMPLATE template0")
            }
        }
        return try body(embedded.adminConninfo)
    }
}
