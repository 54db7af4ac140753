import DossierStore
import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct MigratorTests {
    @Test func appliesEverythingToAnEmptyDatabaseThenNothing() throws {
        let (_, conninfo) = try MigratedDatabase.createEmpty()
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        let first = try Migrator().migrate(connection)
        #expect(first == MigrationCatalog.all.map(\.version))
        #expect(try Migrator().migrate(connection) == [])
        #expect(try Migrator().status(connection) == .current(version: MigrationCatalog.expectedVersion))
        let recorded = try connection.query("SELECT count(*)::int8 AS n FROM dossier_meta.migrations")
        #expect(try recorded.rows[0].decode("n", as: Int.self) == MigrationCatalog.all.count)
    }

    @Test func refusesAnAppliedFileThatChanged() throws {
        let (_, conninfo) = try MigratedDatabase.createEmpty()
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        try Migrator().migrate(connection)
        var changed = MigrationCatalog.all
        let third = changed[2]
        changed[2] = try Migration(name: third.name, sql: third.sql + "\n-- edited\n")
        #expect(throws: MigrationError.modified(version: 3, name: third.name)) {
            try Migrator(migrations: changed).migrate(connection)
        }
        #expect(try Migrator(migrations: changed).status(connection) == .modified(version: 3, name: third.name))
    }

    @Test func appliesOnlyWhatIsPending() throws {
        let (_, conninfo) = try MigratedDatabase.createEmpty()
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        let firstThree = Array(MigrationCatalog.all.prefix(3))
        #expect(try Migrator(migrations: firstThree).migrate(connection) == [1, 2, 3])
        let rest = MigrationCatalog.all.dropFirst(3).map(\.version)
        #expect(try Migrator().status(connection) == .behind(applied: 3, pending: rest))
        #expect(try Migrator().migrate(connection) == rest)
    }

    @Test func knowsWhenTheDatabaseIsAhead() throws {
        let (_, conninfo) = try MigratedDatabase.createEmpty()
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        try Migrator().migrate(connection)
        try connection.query("INSERT INTO dossier_meta.migrations (version, name, checksum) VALUES (999, '0999_future.sql', 'x')")
        let status = try Migrator().status(connection)
        #expect(status == .ahead(applied: 999, unknown: [999]))
        #expect(throws: MigrationError.ahead(versions: [999])) { try Migrator().migrate(connection) }
    }

    @Test func failedMigrationLeavesNothingBehind() throws {
        let (_, conninfo) = try MigratedDatabase.createEmpty()
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        let broken = Array(MigrationCatalog.all.prefix(1)) + [try Migration(name: "0002_broken.sql", sql: "CREATE TABLE dossier.half (x int); SELECT 1/0;")]
        #expect(throws: PostgresError.self) { try Migrator(migrations: broken).migrate(connection) }
        let half = try connection.query("SELECT to_regclass('dossier.half') IS NULL AS gone")
        #expect(try half.rows[0].decode("gone", as: Bool.self))
        #expect(try Migrator(migrations: broken).status(connection) == .behind(applied: 1, pending: [2]))
    }

    /// Two `dossierd migrate` processes at once: one applies, the other waits on
    /// the advisory lock and then finds nothing to do.
    @Test func concurrentMigrateFromTwoProcessesIsSafe() throws {
        let (_, conninfo) = try MigratedDatabase.createEmpty()
        let binary = try DossierdBinary.path()
        let processes = try (0..<2).map { _ in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["migrate", "--database-url", conninfo]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        #expect(try Migrator().status(connection) == .current(version: MigrationCatalog.expectedVersion))
        let rows = try connection.query("SELECT count(*)::int8 AS n FROM dossier_meta.migrations")
        #expect(try rows.rows[0].decode("n", as: Int.self) == MigrationCatalog.all.count)
    }
}
