import Foundation
import LocalPostgres
import Postgres

/// `dossierd backup`: a consistent copy of one dossier database.
///
/// Method: `pg_dump --format=directory --jobs=N` in the snapshot of a
/// transaction this process holds open. The manifest's row counts and audit
/// chain heads are read in that same snapshot (`pg_export_snapshot`,
/// `pg_dump --snapshot`), so they describe exactly what the dump holds even
/// while daemons keep writing. Why a logical dump rather than
/// `pg_basebackup`: it restores into any empty database of any cluster of
/// version 15 or later (a new host, a test cluster, next to other databases),
/// the directory format dumps and restores tables in parallel and keeps
/// each table in its own compressed file with a checksum, and it needs no
/// replication connection or WAL settings. Point-in-time recovery is the
/// physical side (`deploy/pitr/`).
public enum Backup {
    /// Backs up the database `conninfo` points to (a superuser, or a login
    /// with BYPASSRLS that can read every table) into `directory`, which must
    /// not exist or be empty. Returns the manifest written last.
    @discardableResult
    public static func run(conninfo: String, to directory: String, jobs: Int = 2,
                           log: (String) -> Void = { _ in }) throws -> BackupManifest {
        let directory = absolute(directory)
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: directory) {
            let contents = (try? fileManager.contentsOfDirectory(atPath: directory)) ?? ["?"]
            guard contents.isEmpty else { throw BackupError("\(directory) exists and is not empty; give a new directory") }
        } else {
            try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        do {
            return try write(conninfo: conninfo, directory: directory, jobs: jobs, log: log)
        } catch {
            // A failed backup leaves nothing that looks like one.
            try? fileManager.removeItem(atPath: directory)
            throw error
        }
    }

    private static func write(conninfo: String, directory: String, jobs: Int, log: (String) -> Void) throws -> BackupManifest {
        let tools = try Tools.locate()
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        let role = try connection.query("""
            SELECT current_user AS login, rolsuper OR rolbypassrls AS reads_all FROM pg_roles WHERE rolname = current_user
            """).rows[0]
        guard try role.decode("reads_all", as: Bool.self) else {
            throw BackupError("""
                \(try role.decode("login", as: String.self)) cannot back up the database: row-level security hides rows from it. \
                Connect as a superuser (or a BYPASSRLS login), e.g. --database-url postgresql://postgres@host/dossier
                """)
        }
        // The snapshot the dump and the manifest share; held until pg_dump is done.
        try connection.execute(script: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        let header = try connection.query("""
            SELECT pg_export_snapshot() AS snapshot, now() AS at, current_database() AS db,
                   current_setting('server_version') AS version
            """).rows[0]
        let snapshot = try header.decode("snapshot", as: String.self)
        let inventory = try DatabaseInventory.read(connection)
        let roles = try DossierRoles.read(connection)
        let jobs = max(1, jobs)
        let dumpPath = directory + "/" + BackupManifest.dumpDirectory
        var arguments = [
            tools.path("pg_dump"), "--format=directory", "--jobs=\(jobs)", "--snapshot=\(snapshot)",
            "--file=\(dumpPath)",
        ]
        if !conninfo.isEmpty { arguments.append("--dbname=\(conninfo)") }
        log("dumping \(try header.decode("db", as: String.self)) (\(inventory.tables.count) tables, \(inventory.totalRows) rows) with \(jobs) jobs")
        try Subprocess.check(arguments, what: "pg_dump")
        try connection.execute(script: "COMMIT")

        let files = try checksums(of: directory, under: BackupManifest.dumpDirectory)
        let manifest = BackupManifest(
            format: BackupManifest.currentFormat, createdAt: try header.decode("at", as: Date.self),
            method: "pg_dump --format=directory --jobs=\(jobs)", database: try header.decode("db", as: String.self),
            serverVersion: try header.decode("version", as: String.self), inventory: inventory, roles: roles, files: files)
        // Written last and renamed into place: its presence marks a complete backup.
        let temporary = directory + "/" + BackupManifest.fileName + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: try manifest.encoded()) else {
            throw BackupError("cannot write \(temporary)")
        }
        try FileManager.default.moveItem(atPath: temporary, toPath: directory + "/" + BackupManifest.fileName)
        return manifest
    }

    /// Size and SHA-256 of every regular file under `directory/sub`, sorted by path.
    static func checksums(of directory: String, under sub: String) throws -> [BackupManifest.FileRecord] {
        try files(of: directory, under: sub).map { relative in
            let path = directory + "/" + relative
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            return BackupManifest.FileRecord(path: relative, bytes: size, sha256: try FileChecksum.sha256(ofFile: path))
        }
    }

    /// Relative paths of the regular files under `directory/sub`, sorted.
    static func files(of directory: String, under sub: String) throws -> [String] {
        let root = directory + "/" + sub
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var paths: [String] = []
        while let next = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + next, isDirectory: &isDirectory), !isDirectory.boolValue {
                paths.append(sub + "/" + next)
            }
        }
        return paths.sorted()
    }

    static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: full).standardizedFileURL.path
    }
}
