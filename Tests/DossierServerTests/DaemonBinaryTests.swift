import DossierServer
import DossierStore
import Foundation
import LocalPostgres
import Postgres
import Testing
import TestSupport

/// `dossierd` as an operator runs it: the embedded default, and the start-up
/// checks against a configured database.
@Suite struct DaemonBinaryTests {
    @Test func embeddedDefaultCreatesClusterServesAndStopsCleanly() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dossierd-embedded-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try LineClient.freePort()
        let daemon = try DaemonProcess(arguments: ["serve", "--data-dir", directory, "--listen", "127.0.0.1:\(port)"],
                                       environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        #expect(await daemon.waitForOutput(containing: "listening"), "\(daemon.text)")
        let password = try #require(daemon.text.firstMatch(of: /one-time password (\S+)/)?.1)
        // No key file given: the embedded default made one, readable by its owner only (issue 16).
        let keyFile = directory + "/data.keys"
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(daemon.text.contains("data keys: 1, current k"), "\(daemon.text)")

        let client = try await LineClient(port: port)
        #expect(try await client.readLine() == "OK DOSSIER/1 dossierd ready")
        #expect(try await client.request("PING") == ["OK PONG"])
        #expect(try await client.request("WHOAMI") == ["ERR AUTH login required"])
        #expect(try await client.request("AUTH admin \(password)") == ["OK admin role=admin dept=HQ"])
        #expect(try await client.request("WHOAMI") == ["OK admin role=admin dept=HQ"])

        daemon.terminate()
        #expect(try await client.readLine() == "ERR SHUTDOWN server is stopping")
        #expect(await daemon.waitForExit() == 0, "\(daemon.text)")
        let cluster = LocalCluster(dataDirectory: directory + "/pgdata")
        #expect(try cluster.isRunning() == false)

        // A second start reuses the cluster and prints no new password.
        let again = try DaemonProcess(arguments: ["serve", "--data-dir", directory, "--listen", "127.0.0.1:\(port)"])
        #expect(await again.waitForOutput(containing: "listening"), "\(again.text)")
        #expect(!again.text.contains("one-time password"))
        again.interrupt()
        #expect(await again.waitForExit() == 0)
    }

    /// A daemon whose audit key is not the one the log was sealed with would
    /// seal under it, and every AUDIT VERIFY would then fail on the earlier
    /// seals: serve refuses it at start, unless told the old key is lost.
    @Test func serveRefusesAnAuditKeyTheLogWasNotSealedWith() async throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        try DatabaseLogins.enableDaemonLogin(admin, password: nil)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dossierd-auditkey-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sealing = String(repeating: "a", count: 40), other = String(repeating: "b", count: 40)
        for (name, text) in [("sealing.key", sealing), ("other.key", other)] {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        let sealingID = try AuditKey(text: sealing).id, otherID = try AuditKey(text: other).id
        try admin.query("""
            INSERT INTO dossier.audit_seals (sealed_by, key_id, heads, prev_mac, mac) VALUES ('test', $1::text, '', '\\x', '\\x')
            """, [sealingID])
        let url = try TestPostgres.shared().conninfo(user: "dossier_app", database: database.name)
        func serve(_ extra: [String]) throws -> DaemonProcess {
            try DaemonProcess(arguments: ["serve", "--database-url", url, "--listen", "127.0.0.1:\(try LineClient.freePort())", "--no-jobs"] + extra)
        }

        let refused = try serve(["--audit-key-file", directory + "/other.key"])
        let status = await refused.waitForExit()
        #expect(status != nil && status != 0)
        #expect(refused.text.contains("sealed with audit key \(sealingID), not with this daemon's audit key (\(otherID))"), "\(refused.text)")

        let right = try serve(["--audit-key-file", directory + "/sealing.key"])
        #expect(await right.waitForOutput(containing: "listening"), "\(right.text)")
        right.interrupt()
        #expect(await right.waitForExit() == 0)

        let replacing = try serve(["--audit-key-file", directory + "/other.key", "--new-audit-key"])
        #expect(await replacing.waitForOutput(containing: "listening"), "\(replacing.text)")
        #expect(replacing.text.contains("audit key \(otherID) replaces \(sealingID)"), "\(replacing.text)")
        replacing.interrupt()
        #expect(await replacing.waitForExit() == 0)

        // The embedded default makes no new audit.key for a log sealed before (a restore onto a new machine).
        #expect(throws: AuditKeyCheck.Refusal.self) { try AuditKeyCheck.checkBeforeCreating(file: "/x/audit.key", sealedWith: sealingID) }
        try AuditKeyCheck.checkBeforeCreating(file: "/x/audit.key", sealedWith: nil)
        try AuditKeyCheck.check(keyID: nil, sealedWith: sealingID)  // no key: an unsealed log, as before
    }

    @Test func serveRefusesASchemaThatIsBehind() async throws {
        let (name, adminConninfo) = try MigratedDatabase.createEmpty()
        let admin = try PostgresConnection(conninfo: adminConninfo)
        try Migrator(migrations: Array(MigrationCatalog.all.prefix(3))).migrate(admin)
        try DatabaseLogins.enableDaemonLogin(admin, password: nil)
        admin.close()
        let cluster = try TestPostgres.shared()
        let daemon = try DaemonProcess(arguments: [
            "serve", "--database-url", cluster.conninfo(user: "dossier_app", database: name),
            "--listen", "127.0.0.1:\(try LineClient.freePort())",
        ])
        let status = await daemon.waitForExit()
        #expect(status != nil && status != 0)
        #expect(daemon.text.contains("run `dossierd migrate`"), "\(daemon.text)")
    }

    @Test func serveRefusesALoginThatBypassesRowSecurity() async throws {
        let database = try MigratedDatabase.create()
        let daemon = try DaemonProcess(arguments: [
            "serve", "--database-url", database.adminConninfo, "--listen", "127.0.0.1:\(try LineClient.freePort())",
        ])
        let status = await daemon.waitForExit()
        #expect(status != nil && status != 0)
        #expect(daemon.text.contains("superusers and BYPASSRLS roles skip row-level security"), "\(daemon.text)")
    }

    @Test func biLoginCommandScopesALogin() async throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        _ = try RecordsFixture.load(into: admin)
        let name = "bi_cmd_\(database.name)"
        let command = try DaemonProcess(arguments: ["bi-login", name, "--dept", "BJ", "--database-url", database.adminConninfo])
        #expect(await command.waitForExit() == 0, "\(command.text)")
        let bi = try PostgresConnection(conninfo: database.conninfo(user: name))
        defer { bi.close() }
        let departments = try bi.query("SELECT DISTINCT d.code FROM dossier.dossiers x JOIN dossier.departments d ON d.id = x.dept_id")
        #expect(try departments.rows.map { try $0.decode(0, as: String.self) } == ["BJ"])
    }
}
