import DossierStore
import Foundation
import Testing

@Suite struct MigrationCatalogTests {
    /// `migrations/` at the top of the package.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("migrations")

    @Test func everyFileIsCompiledIn() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".sql") && $0 != "policies.sql" }.sorted()
        #expect(files == MigrationCatalog.all.map(\.name))
        let policies = try String(contentsOf: Self.directory.appendingPathComponent("policies.sql"), encoding: .utf8)
        #expect(policies == MigrationCatalog.policies, "policies.sql differs from the compiled copy")
        for migration in MigrationCatalog.all {
            let onDisk = try String(contentsOf: Self.directory.appendingPathComponent(migration.name), encoding: .utf8)
            #expect(onDisk == migration.sql, "\(migration.name) differs from the compiled copy")
        }
    }

    /// Helpers working in parallel number from blocks of their own (0020–0029,
    /// 0030–0039, …), so versions grow but may leave gaps.
    @Test func versionsIncreaseFromOne() {
        let versions = MigrationCatalog.all.map(\.version)
        #expect(versions.first == 1)
        #expect(zip(versions, versions.dropFirst()).allSatisfy { $0 < $1 })
        #expect(MigrationCatalog.expectedVersion == versions.last)
    }

    @Test func fileNamesAreChecked() {
        #expect(throws: MigrationError.badFileName("schema.sql")) { try Migration(name: "schema.sql", sql: "") }
        #expect(throws: MigrationError.badFileName("12_x.sql")) { try Migration(name: "12_x.sql", sql: "") }
        #expect(throws: MigrationError.badFileName("0000_x.sql")) { try Migration(name: "0000_x.sql", sql: "") }
        #expect((try? Migration(name: "0012_x.sql", sql: ""))?.version == 12)
    }
}

@Suite struct SchemaStatusTests {
    let known = [try! Migration(name: "0001_a.sql", sql: "a"), try! Migration(name: "0002_b.sql", sql: "b")]
    let sums = [1: "s1", 2: "s2"]

    @Test func emptyDatabaseIsBehind() {
        #expect(SchemaStatus.compare(applied: [], known: known, checksums: sums) == .behind(applied: 0, pending: [1, 2]))
    }

    @Test func partlyMigratedIsBehind() {
        let applied = [AppliedMigration(version: 1, name: "0001_a.sql", checksum: "s1")]
        #expect(SchemaStatus.compare(applied: applied, known: known, checksums: sums) == .behind(applied: 1, pending: [2]))
    }

    @Test func allAppliedIsCurrent() {
        let applied = [AppliedMigration(version: 1, name: "0001_a.sql", checksum: "s1"),
                       AppliedMigration(version: 2, name: "0002_b.sql", checksum: "s2")]
        #expect(SchemaStatus.compare(applied: applied, known: known, checksums: sums) == .current(version: 2))
    }

    @Test func unknownVersionIsAhead() {
        let applied = [AppliedMigration(version: 1, name: "0001_a.sql", checksum: "s1"),
                       AppliedMigration(version: 3, name: "0003_c.sql", checksum: "s3")]
        #expect(SchemaStatus.compare(applied: applied, known: known, checksums: sums) == .ahead(applied: 3, unknown: [3]))
    }

    @Test func changedChecksumIsModified() {
        let applied = [AppliedMigration(version: 1, name: "0001_a.sql", checksum: "other")]
        #expect(SchemaStatus.compare(applied: applied, known: known, checksums: sums) == .modified(version: 1, name: "0001_a.sql"))
    }

    @Test func messagesSayWhatToRun() {
        #expect(SchemaStatus.behind(applied: 1, pending: [2]).operatorMessage.contains("dossierd migrate"))
        #expect(SchemaStatus.ahead(applied: 3, unknown: [3]).operatorMessage.contains("newer dossierd"))
    }
}
