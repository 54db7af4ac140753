import Foundation
import LocalPostgres
import Postgres

/// `dossierd restore`: a backup into an empty database, checked before and after.
///
/// Before: the manifest must be there and every file it lists present with
/// its size and SHA-256, and no other file in the dump (else nothing is
/// touched). Then the roles the database names are created where missing,
/// `pg_restore --jobs=N` loads the dump, the database-level grants are
/// redone, and the result is checked against the manifest: rows per table,
/// every audit chain head, and `audit_verify()` over the whole log.
public enum Restore {
    /// What a restore did, for the operator.
    public struct Report: Sendable, CustomStringConvertible {
        public let manifest: BackupManifest
        public let database: String
        public let rolesCreated: [String]
        public let auditVerified: Int64

        public var description: String {
            let inventory = manifest.inventory
            var lines = [
                "restored database \(database) from the backup of \(manifest.createdAt.ISO8601Format()) (\(manifest.method), PostgreSQL \(manifest.serverVersion))",
                "schema version \(inventory.schemaVersion); \(inventory.tables.count) tables, \(inventory.totalRows) rows, counts match the manifest:",
            ]
            for table in inventory.tables { lines.append("  \(table.table) \(table.rows)") }
            lines.append("audit log: \(auditVerified) rows verified in \(inventory.auditChains.count) chains; chain heads match the manifest")
            lines.append(rolesCreated.isEmpty ? "roles: all present already" : "roles created: \(rolesCreated.joined(separator: ", "))")
            return lines.joined(separator: "\n")
        }
    }

    /// Checks a backup directory without touching any database: the manifest
    /// and every file's size and checksum. Returns the manifest.
    public static func verify(directory: String) throws -> BackupManifest {
        let directory = Backup.absolute(directory)
        let manifest = try BackupManifest.read(directory: directory)
        var problems: [String] = []
        for file in manifest.files {
            let path = directory + "/" + file.path
            guard FileManager.default.fileExists(atPath: path) else {
                problems.append("\(file.path) is missing")
                continue
            }
            let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? -1
            if size != file.bytes {
                problems.append("\(file.path) has \(size) bytes, the manifest says \(file.bytes)")
            } else if try FileChecksum.sha256(ofFile: path) != file.sha256 {
                problems.append("\(file.path) does not match its SHA-256 checksum")
            }
        }
        let listed = Set(manifest.files.map(\.path))
        for path in try Backup.files(of: directory, under: BackupManifest.dumpDirectory) where !listed.contains(path) {
            problems.append("\(path) is not in the manifest")
        }
        if !listed.contains(BackupManifest.dumpDirectory + "/toc.dat") {
            problems.append("the manifest lists no \(BackupManifest.dumpDirectory)/toc.dat")
        }
        guard problems.isEmpty else {
            throw BackupError("refusing a damaged or incomplete backup in \(directory):\n  " + problems.joined(separator: "\n  "))
        }
        return manifest
    }

    /// Restores `directory` into the empty database `conninfo` points to (as
    /// a superuser: it creates roles and extensions).
    public static func run(from directory: String, conninfo: String, jobs: Int = 2,
                           log: (String) -> Void = { _ in }) throws -> Report {
        let directory = Backup.absolute(directory)
        let manifest = try verify(directory: directory)
        log("backup verified: \(manifest.files.count) files match their checksums")
        let tools = try Tools.locate()
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        let target = try connection.query("""
            SELECT current_database() AS db, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
                   EXISTS (SELECT 1 FROM pg_namespace WHERE nspname IN ('dossier', 'dossier_meta')) AS occupied
            """).rows[0]
        let database = try target.decode("db", as: String.self)
        guard try target.decode("superuser", as: Bool.self) else {
            throw BackupError("restore needs a superuser login (it creates roles and extensions)")
        }
        guard try !target.decode("occupied", as: Bool.self) else {
            throw BackupError("database \(database) is not empty (it has a dossier schema); restore into a new, empty database")
        }
        let created = try DossierRoles.recreate(manifest.roles, on: connection)
        if !created.isEmpty { log("created roles \(created.joined(separator: ", "))") }

        var arguments = [
            tools.path("pg_restore"), "--format=directory", "--jobs=\(max(1, jobs))", "--exit-on-error",
        ]
        if !conninfo.isEmpty { arguments.append("--dbname=\(conninfo)") }
        arguments.append(directory + "/" + BackupManifest.dumpDirectory)
        log("restoring into \(database) with \(max(1, jobs)) jobs")
        try Subprocess.check(arguments, what: "pg_restore")
        try DossierRoles.grantDatabase(on: connection)
        // pg_restore loads no planner statistics.
        try connection.execute(script: "ANALYZE")

        let restored = try connection.transaction { try DatabaseInventory.read($0) }
        let differences = restored.differences(from: manifest.inventory)
        guard differences.isEmpty else {
            throw BackupError("the restored database does not match the manifest:\n  " + differences.joined(separator: "\n  "))
        }
        let audit = try connection.query("SELECT verified, broken_at FROM dossier.audit_verify()").rows[0]
        if let broken = try audit.decode("broken_at", as: Int64?.self) {
            throw BackupError("audit verification failed after the restore: the chain breaks at audit row \(broken)")
        }
        let verified = try audit.decode("verified", as: Int64.self)
        guard verified == manifest.inventory.auditRows else {
            throw BackupError("audit verification covered \(verified) rows; the manifest has \(manifest.inventory.auditRows)")
        }
        return Report(manifest: manifest, database: database, rolesCreated: created, auditVerified: verified)
    }
}
