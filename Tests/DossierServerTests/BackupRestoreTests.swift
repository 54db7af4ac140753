import DossierBackup
import DossierStore
import Foundation
import LocalPostgres
import Postgres
import Synchronization
import Testing
import TestSupport

/// `dossierd backup` and `dossierd restore` as an operator runs them: a
/// backup taken while a client keeps writing, restored into a new cluster,
/// then used by a daemon and a BI login.
@Suite struct BackupRestoreTests {
    @Test func fileChecksumsAreSHA256OfTheWholeFile() throws {
        #expect(FileChecksum.sha256(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // Longer than one read: the pieces make the digest of the whole.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("checksum-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = Data(repeating: UInt8(ascii: "a"), count: 1_000_000) + Data(repeating: UInt8(ascii: "a"), count: 1_500_000)
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(try FileChecksum.sha256(ofFile: path) == FileChecksum.sha256(bytes))
        try Data(repeating: UInt8(ascii: "a"), count: 1_000_000).write(to: URL(fileURLWithPath: path))
        #expect(try FileChecksum.sha256(ofFile: path) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func backupUnderWritesRestoresIntoANewCluster() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let biLogin = "bi_sh_\(getpid())"
        try DatabaseLogins.createBILogin(sql, name: biLogin, password: nil, departmentCode: "SH")

        // One filed dossier before the backup: SH-HT-<year>-0001.
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let first = try await company.draft(rep)
        let firstApproval = try await company.submit(rep, first)
        #expect(try await manager.request("APPROVE \(firstApproval)") == ["OK \(firstApproval) approved number=SH-HT-\(company.year)-0001"])

        // A client keeps creating drafts while the backup runs.
        let acknowledged = Mutex<[String]>([])
        let stop = Atomic<Bool>(false)
        let writer = Task {
            let client = try await company.client("li.na")
            var count = 0
            while !stop.load(ordering: .relaxed) && count < 2000 {
                let answer = try await client.request("DOSSIER NEW customer=C-2026-00001 category=BJ title=\"写入 \(count)\"")
                guard let ref = answer.first, ref.hasPrefix("OK D") else { throw LineClient.Failure(description: "\(answer)") }
                acknowledged.withLock { $0.append(String(ref.dropFirst(3))) }
                count += 1
            }
        }
        for _ in 0..<3000 where acknowledged.withLock({ $0.count }) < 10 { try await Task.sleep(for: .milliseconds(20)) }
        if acknowledged.withLock({ $0.count }) < 10 {
            let result = await writer.result
            Issue.record("the writer stopped early: \(result)")
            return
        }
        let before = acknowledged.withLock { $0 }
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let directory = scratch + "/backup"
        let backup = try DaemonProcess(arguments: ["backup", "--database-url", server.database.adminConninfo, "--to", directory])
        let backupStatus = await backup.waitForExit(seconds: 300)
        let writtenDuring = acknowledged.withLock { $0.count } - before.count
        stop.store(true, ordering: .relaxed)
        try await writer.value
        #expect(backupStatus == 0, "\(backup.text)")
        #expect(backup.text.contains("backup of \(server.database.name) written to \(directory)"), "\(backup.text)")
        print("backup under writes: \(before.count) drafts acknowledged before it began, \(writtenDuring) while it ran")

        // Into a new cluster, as its superuser, in an empty database.
        let cluster = try TestPostgres.makeScratchCluster()
        let postgres = try PostgresConnection(conninfo: cluster.conninfo())
        try postgres.execute(script: "CREATE DATABASE dossier TEMPLATE template0 ENCODING 'UTF8'")
        postgres.close()
        let restore = try DaemonProcess(arguments: [
            "restore", "--database-url", cluster.conninfo(user: "postgres", database: "dossier"), "--from", directory,
        ])
        #expect(await restore.waitForExit(seconds: 300) == 0, "\(restore.text)")
        #expect(restore.text.contains("counts match the manifest"), "\(restore.text)")
        #expect(restore.text.contains("chain heads match the manifest"), "\(restore.text)")
        // The shared test cluster may hold logins of other tests' databases that are members of dossier_app.
        #expect(restore.text.contains("roles created: dossier_app, dossier_bi, dossier_owner, ") && restore.text.contains(biLogin), "\(restore.text)")

        // Every draft acknowledged before the backup began is there.
        let restored = try PostgresConnection(conninfo: cluster.conninfo(user: "postgres", database: "dossier"))
        defer { restored.close() }
        let present = Set(try restored.query("SELECT 'D' || id AS ref FROM dossier.dossiers").rows.map { try $0.decode("ref", as: String.self) })
        #expect(Set(before).isSubset(of: present), "missing: \(Set(before).subtracting(present))")

        // A daemon on the restored database: the audit log verifies, numbering goes on.
        let port = try LineClient.freePort()
        let daemon = try DaemonProcess(arguments: [
            "serve", "--database-url", cluster.conninfo(user: "dossier_app", database: "dossier"),
            "--listen", "127.0.0.1:\(port)", "--no-jobs",
        ])
        defer { daemon.terminate() }
        #expect(await daemon.waitForOutput(containing: "listening", seconds: 120), "\(daemon.text)")
        func client(_ login: String) async throws -> LineClient {
            let client = try await LineClient(port: port)
            _ = try await client.readLine()
            let answer = try await client.request("AUTH \(login) \(Company.password)")
            guard answer.first?.hasPrefix("OK") == true else { throw LineClient.Failure(description: "AUTH \(login): \(answer)") }
            return client
        }
        let verified = try await client("aud").request("AUDIT VERIFY")
        #expect(verified.first?.hasPrefix("OK verified ") == true, "\(verified)")
        let restoredRep = try await client("li.na")
        let second = try await company.draft(restoredRep)
        let secondApproval = try await company.submit(restoredRep, second)
        #expect(try await client("mgr.sh").request("APPROVE \(secondApproval)") == ["OK \(secondApproval) approved number=SH-HT-\(company.year)-0002"])
        let shown = try await restoredRep.request("DOSSIER SHOW \(second)")
        #expect(shown.first?.contains("number=SH-HT-\(company.year)-0002 ") == true, "\(shown)")

        // The BI login, recreated by the restore, still reads only its department.
        let bi = try PostgresConnection(conninfo: cluster.conninfo(user: biLogin, database: "dossier"))
        defer { bi.close() }
        let departments = try bi.query("""
            SELECT DISTINCT p.code FROM dossier.dossiers d JOIN dossier.departments p ON p.id = d.dept_id
            """).rows.map { try $0.decode("code", as: String.self) }
        #expect(departments == ["SH"])
        let shCount = try restored.query("""
            SELECT count(*) AS n FROM dossier.dossiers d JOIN dossier.departments p ON p.id = d.dept_id WHERE p.code = 'SH'
            """).rows[0].decode("n", as: Int64.self)
        #expect(try bi.query("SELECT count(*) AS n FROM dossier.dossiers").rows[0].decode("n", as: Int64.self) == shCount)
        daemon.terminate()
        _ = await daemon.waitForExit(seconds: 30)
        try await server.shutdown()
    }

    @Test func damagedOrIncompleteBackupsAreRefused() async throws {
        let database = try MigratedDatabase.create()
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let original = directory + "/good"
        let manifest = try Backup.run(conninfo: database.adminConninfo, to: original)
        let dataFile = try #require(manifest.files.first { $0.path.hasSuffix(".dat.gz") && $0.bytes > 20 })
        let target = try TestPostgres.createDatabase()

        func restore(_ backup: String) async throws -> (Int32?, String) {
            let process = try DaemonProcess(arguments: ["restore", "--database-url", target, "--from", backup])
            return (await process.waitForExit(seconds: 120), process.text)
        }
        func copy(_ name: String) throws -> String {
            let path = directory + "/" + name
            try FileManager.default.copyItem(atPath: original, toPath: path)
            return path
        }

        // One byte changed in a table's data file.
        let corrupted = try copy("corrupted")
        let handle = try #require(FileHandle(forUpdatingAtPath: corrupted + "/" + dataFile.path))
        try handle.seek(toOffset: UInt64(dataFile.bytes / 2))
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: UInt64(dataFile.bytes / 2))
        try handle.write(contentsOf: [byte ^ 0xff])
        try handle.close()
        var (status, text) = try await restore(corrupted)
        #expect(status != 0)
        #expect(text.contains("refusing a damaged or incomplete backup") && text.contains("\(dataFile.path) does not match its SHA-256 checksum"), "\(text)")

        // A file missing, an unlisted file, no manifest.
        let missing = try copy("missing")
        try FileManager.default.removeItem(atPath: missing + "/" + dataFile.path)
        (status, text) = try await restore(missing)
        #expect(status != 0 && text.contains("\(dataFile.path) is missing"), "\(text)")
        let extra = try copy("extra")
        FileManager.default.createFile(atPath: extra + "/dump/9999.dat.gz", contents: Data("x".utf8))
        (status, text) = try await restore(extra)
        #expect(status != 0 && text.contains("dump/9999.dat.gz is not in the manifest"), "\(text)")
        let unfinished = try copy("unfinished")
        try FileManager.default.removeItem(atPath: unfinished + "/manifest.json")
        (status, text) = try await restore(unfinished)
        #expect(status != 0 && text.contains("has no manifest.json"), "\(text)")

        // Nothing was written to the target by any of them; the good copy restores.
        let check = try PostgresConnection(conninfo: target)
        defer { check.close() }
        #expect(try check.query("SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'dossier'").rows[0].decode("n", as: Int64.self) == 0)
        (status, text) = try await restore(original)
        #expect(status == 0, "\(text)")
        // A second restore into the now occupied database is refused.
        (status, text) = try await restore(original)
        #expect(status != 0 && text.contains("is not empty"), "\(text)")
    }

    @Test func embeddedDefaultBacksUpAndRestores() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = directory + "/source", copy = directory + "/copy", backup = directory + "/backup"
        func run(_ arguments: [String]) async throws -> String {
            let process = try DaemonProcess(arguments: arguments)
            let status = await process.waitForExit(seconds: 300)
            #expect(status == 0, "\(arguments): \(process.text)")
            return process.text
        }
        _ = try await run(["migrate", "--data-dir", source])
        _ = try await run(["bootstrap", "--data-dir", source, "--admin", "admin", "--password", "admin-pw"])
        let written = try await run(["backup", "--data-dir", source, "--to", backup])
        #expect(written.contains("written to \(backup)"), "\(written)")
        let restored = try await run(["restore", "--data-dir", copy, "--from", backup])
        #expect(restored.contains("restored database dossier"), "\(restored)")
        #expect(restored.contains("dossier.users 1"), "\(restored)")
        // The keys are not in the backup, and the operator is told where they go.
        #expect(restored.contains("copy the installation's data key file to \(copy)/data.keys"), "\(restored)")
        #expect(restored.contains("its audit key to \(copy)/audit.key"), "\(restored)")
        // Both embedded clusters were stopped again by the commands.
        #expect(try LocalCluster(dataDirectory: source + "/pgdata").isRunning() == false)
        #expect(try LocalCluster(dataDirectory: copy + "/pgdata").isRunning() == false)
    }

    /// A new directory under /tmp the `postgres` user can traverse.
    private func scratchDirectory() throws -> String {
        let path = "/tmp/dossier-backup-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o755)
        return path
    }
}
