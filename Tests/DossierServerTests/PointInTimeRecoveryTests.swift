import Foundation
import LocalPostgres
import Postgres
import Testing
import TestSupport

/// `deploy/pitr/`: WAL archived by `archive-wal.sh`, a base backup by
/// `base-backup.sh`, and `restore-to-time.sh` bringing a new data directory
/// back to a moment between two commits.
@Suite struct PointInTimeRecoveryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test(.timeLimit(.minutes(5))) func restoreToATimeBetweenTwoCommits() async throws {
        var template = Array("/tmp/dossier-pitr-XXXXXX".utf8CString)
        _ = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let base = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(base, 0o755)
        let root = geteuid() == 0
        // The scripts as the server user runs them, from a place it can reach.
        let scripts = base + "/scripts", archive = base + "/archive", backups = base + "/base", pitr = base + "/pitr"
        try FileManager.default.createDirectory(atPath: scripts, withIntermediateDirectories: true)
        for name in ["archive-wal.sh", "base-backup.sh", "restore-to-time.sh"] {
            try FileManager.default.copyItem(atPath: Self.root + "/deploy/pitr/" + name, toPath: scripts + "/" + name)
            chmod(scripts + "/" + name, 0o755)
        }
        for directory in [archive, backups, pitr] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if root { _ = try Subprocess.run(["chown", "postgres:postgres", directory]) }
        }
        func asServerUser(_ arguments: [String]) throws -> CommandOutput {
            try Subprocess.run(root ? ["runuser", "-u", "postgres", "--"] + arguments : arguments)
        }

        let cluster = LocalCluster(dataDirectory: base + "/live", port: 6201, settings: [
            "archive_mode": "on", "wal_level": "replica",
            "archive_command": "\(scripts)/archive-wal.sh %p %f \(archive)",
        ], authentication: .trust)
        let restored = LocalCluster(dataDirectory: pitr + "/restored", port: 6202, authentication: .trust)
        defer {
            try? restored.stopImmediately()
            try? cluster.stopImmediately()
            try? FileManager.default.removeItem(atPath: base)
        }
        try cluster.initializeIfNeeded()
        try cluster.start()
        let sql = try PostgresConnection(conninfo: cluster.conninfo())
        defer { sql.close() }
        try sql.execute(script: "CREATE TABLE marks (n int PRIMARY KEY); INSERT INTO marks VALUES (1)")

        let backup = try asServerUser(["bash", scripts + "/base-backup.sh", backups, "host=\(cluster.socketDirectory) port=6201"])
        #expect(backup.status == 0, "\(backup.output)")
        let backupDirectory = try #require(backup.output.split(separator: "\n").last.map(String.init))

        try sql.execute(script: "INSERT INTO marks VALUES (2)")
        let target = try sql.query("SELECT clock_timestamp()::text").rows[0].decode(0, as: String.self)
        try await Task.sleep(for: .milliseconds(200))
        try sql.execute(script: "INSERT INTO marks VALUES (3)")
        // Close the segment so the commit of 3 (after the target) is archived.
        let segment = try sql.query("SELECT pg_walfile_name(pg_current_wal_lsn())").rows[0].decode(0, as: String.self)
        try sql.execute(script: "SELECT pg_switch_wal()")
        #expect(try await pollUntil(60) {
            FileManager.default.fileExists(atPath: archive + "/" + segment)
        })

        // LocalCluster starts servers with max_connections=200 on the command line.
        let recovery = try asServerUser([
            "env", "PITR_SERVER_OPTIONS=-c max_connections=200", "bash", scripts + "/restore-to-time.sh", backupDirectory, archive, target, restored.dataDirectory, "6202",
        ])
        let log = (try? String(contentsOfFile: restored.dataDirectory + "/recovery.log", encoding: .utf8)) ?? ""
        try #require(recovery.status == 0, "\(recovery.output)\n\(log)")
        let back = try PostgresConnection(conninfo: "host=\(restored.dataDirectory) port=6202 user=postgres dbname=postgres")
        defer { back.close() }
        let marks = try back.query("SELECT n FROM marks ORDER BY n").rows.map { try $0.decode(0, as: Int.self) }
        #expect(marks == [1, 2], "recovered to \(target): \(marks)")
    }
}
