import DossierBackup
import DossierPrivacy
import DossierServer
import DossierStore
import Foundation
import LocalPostgres
import Postgres
import Testing
import TestSupport

/// Issue 16, points 5 and 6: a destroyed customer's sealed data leaves the
/// table files (searched after VACUUM FULL and CHECKPOINT); backups hold only
/// ciphertext, and a restored database opens only with its key file.
@Suite struct ErasureTests {
    static func scratchDirectory() throws -> String {
        let path = "/tmp/dossier-erasure-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o755)
        return path
    }

    /// The database's own files (tables, indexes, TOAST) after a checkpoint, by name.
    static func tableFiles(_ sql: PostgresConnection) throws -> [(name: String, data: Data)] {
        try sql.query("CHECKPOINT")
        let row = try sql.query("""
            SELECT current_setting('data_directory') AS dir,
                   (SELECT oid FROM pg_database WHERE datname = current_database())::int8 AS oid
            """).firstRow()
        let directory = try row.decode("dir", as: String.self) + "/base/\(try row.decode("oid", as: Int64.self))"
        return try FileManager.default.contentsOfDirectory(atPath: directory).compactMap { name in
            FileManager.default.contents(atPath: directory + "/" + name).map { (name, $0) }
        }
    }

    /// The relations whose files hold `bytes` (by file node), for the failure message.
    static func holders(_ files: [(name: String, data: Data)], _ bytes: [UInt8], _ sql: PostgresConnection) throws -> [String] {
        try files.filter { $0.data.range(of: Data(bytes)) != nil }.map { file in
            let node = Int64(file.name.prefix { $0.isNumber }) ?? -1
            return try sql.query("SELECT coalesce((SELECT relname::text FROM pg_class WHERE pg_relation_filenode(oid) = $1::int8), $2::text) AS r",
                                 [node, file.name]).firstRow().decode("r", as: String.self)
        }
    }

    /// The sessions of the cluster holding a snapshot or a transaction id: what
    /// VACUUM FULL must keep dead row versions for.
    static func snapshotHolders(_ sql: PostgresConnection) throws -> [String] {
        try sql.query("""
            SELECT pid::text || ' ' || coalesce(datname, '-') || ' ' || coalesce(backend_type, '') || ' xmin='
                   || coalesce(backend_xmin::text, '') || ' xid=' || coalesce(backend_xid::text, '') || ' '
                   || coalesce(state, '') || ' ' || coalesce(left(query, 200), '') AS l
              FROM pg_stat_activity WHERE (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL) AND pid <> pg_backend_pid()
            """).rows.map { try $0.decode("l", as: String.self) }
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func contains(_ files: [(name: String, data: Data)], _ bytes: [UInt8]) -> Bool {
        files.contains { $0.data.range(of: Data(bytes)) != nil }
    }

    /// The backup as SQL text (pg_restore decompresses the directory format).
    static func dumpText(_ directory: String) throws -> String {
        let tools = try Tools.locate()
        return try Subprocess.check([tools.path("pg_restore"), "--file=-", directory + "/" + BackupManifest.dumpDirectory],
                                    what: "pg_restore")
    }

    @Test func destroyedCustomerLeavesNoTraceAndBackupsHoldOnlyCiphertext() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let number = try await PersonalDataTests.createPerson(rep, name: "待销毁客户")
        let ref = try await company.draft(rep, customer: number)
        let filing = try await company.submit(rep, ref)
        let filed = try await manager.request("APPROVE \(filing)")
        let archive = try #require(filed.first?.firstMatch(of: /number=(\S+)$/).map { String($0.1) }, "\(filed)")

        let sql = try server.database.admin()
        defer { sql.close() }
        let stored = try sql.query("""
            SELECT d.phone_sealed, d.id_number_sealed, d.email_sealed, d.address_sealed, d.bank_account_sealed,
                   d.phone_index, d.id_number_index, k.wrapped
              FROM dossier.customer_details d JOIN dossier.customers c ON c.id = d.customer_id
              JOIN dossier.customer_keys k ON k.customer_id = c.id WHERE c.number = $1::text
            """, [number]).firstRow()
        let traces: [(String, [UInt8])] = try ["phone_sealed", "id_number_sealed", "email_sealed", "address_sealed",
                                              "bank_account_sealed", "phone_index", "id_number_index", "wrapped"]
            .map { ($0, try stored.decode($0, as: [UInt8].self)) }
        let clear = PersonalDataTests.secrets.map { ($0, Array($0.utf8)) }

        // Before: the files hold the ciphertext (the search works), never the clear text.
        let before = try Self.tableFiles(sql)
        for (column, bytes) in traces { #expect(Self.contains(before, bytes), "\(column) is in the table files before") }
        for (secret, bytes) in clear { #expect(!Self.contains(before, bytes), "\(secret) is in the table files in clear") }

        // A backup holds only ciphertext.
        let scratch = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try Backup.run(conninfo: server.database.adminConninfo, to: scratch + "/before")
        let dump = try Self.dumpText(scratch + "/before")
        #expect(dump.contains("待销毁客户") && dump.contains("138****5678"), "the dump is readable text")
        #expect(dump.contains(Self.hex(traces[0].1)), "the dump holds the phone's ciphertext")
        for (secret, _) in clear { #expect(!dump.contains(secret), "\(secret) is in the backup in clear") }

        // Destruction (retention over) purges the customer's personal data.
        try sql.query("""
            UPDATE dossier.dossier_retention SET retain_until = current_date - 1
             WHERE dossier_id = (SELECT id FROM dossier.dossiers WHERE number = $1::text)
            """, [archive])
        let destroy = try #require(try await company.client("arc.sh").request("DESTROY \(archive) reason=保管期满").first?
            .firstMatch(of: /^OK (A\d+) pending$/).map { String($0.1) })
        #expect(try await manager.request("APPROVE \(destroy)") == ["OK \(destroy) approved"])
        let shown = try #require(try await rep.request("CUSTOMER SHOW \(number)").first)
        #expect(!shown.contains(PersonalDataTests.phone) && shown.contains("phone=\"\""), "\(shown)")
        #expect(try await !rep.request("CUSTOMER FIND \(PersonalDataTests.phone)").contains { $0.contains(number) })

        // After VACUUM FULL and a checkpoint: no ciphertext, no blind index, no wrapped key in any table file.
        // VACUUM FULL keeps a dead row version while any snapshot may still see it — and a backend
        // starting up in another database of the shared test cluster holds one for a moment — so
        // it is repeated (at most 30 times) until the old versions are gone.
        var after: [(name: String, data: Data)] = []
        for _ in 0..<30 {
            try sql.query("VACUUM FULL dossier.customer_details")
            try sql.query("VACUUM FULL dossier.customer_keys")
            after = try Self.tableFiles(sql)
            if !traces.contains(where: { Self.contains(after, $0.1) }) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        // Who keeps old row versions alive, should any remain (names the flake if it recurs).
        let snapshots = traces.contains(where: { Self.contains(after, $0.1) }) ? try Self.snapshotHolders(sql) : []
        for (column, bytes) in traces {
            let holders = try Self.holders(after, bytes, sql)
            #expect(holders.isEmpty, "\(column) is still in the files of \(holders); snapshots held: \(snapshots)")
        }
        for (secret, bytes) in clear { #expect(!Self.contains(after, bytes), "\(secret) is in the table files") }

        // A backup taken now has nothing of it either.
        try Backup.run(conninfo: server.database.adminConninfo, to: scratch + "/after")
        let afterDump = try Self.dumpText(scratch + "/after")
        #expect(afterDump.contains("待销毁客户"), "the directory entry stays (a company-wide register)")
        for (column, bytes) in traces { #expect(!afterDump.contains(Self.hex(bytes)), "\(column) is in the later backup") }

        // The earlier backup restores, and opens only with its key file.
        let (name, conninfo) = try MigratedDatabase.createEmpty()
        _ = try Restore.run(from: scratch + "/before", conninfo: conninfo)
        let restoredAdmin = try PostgresConnection(conninfo: conninfo)
        defer { restoredAdmin.close() }
        try restoredAdmin.execute(script: "ALTER DATABASE \(name) SET search_path = dossier, public")
        let restored = MigratedDatabase(name: name, cluster: try TestPostgres.shared())
        let daemon = try restored.daemon()
        defer { daemon.close() }
        let stranger = try DataKeyring(text: "kstranger " + Data(repeating: 0x55, count: 32).base64EncodedString())
        #expect(throws: DataKeyMaintenance.Refusal.self) { try DataKeyMaintenance.verify(stranger, on: daemon) }
        let wrongServer = try await TestServer(database: restored) { $0.personalData = PersonalData(keyring: stranger) }
        let wrongReader = try await wrongServer.client(as: "li.na", password: Company.password)
        #expect(try await wrongReader.request("CUSTOMER SHOW \(number)")
            == ["ERR UNAVAILABLE data key ktest-a is not in this daemon's data key file"])
        try await wrongServer.shutdown()
        try DataKeyMaintenance.verify(TestDataKeys.first, on: daemon)
        let rightServer = try await TestServer(database: restored)
        let reader = try await rightServer.client(as: "li.na", password: Company.password)
        #expect(try await reader.request("CUSTOMER SHOW \(number)").first?.contains("phone=\(PersonalDataTests.phone)") == true)
        try await rightServer.shutdown()
        try await server.shutdown()
    }
}
