import DossierServer
import Foundation
import Postgres
import Testing
import TestSupport

/// Tamper evidence against a superuser (issue 10, point 4): the audit chains
/// are sealed with a key the database does not hold, so rows rewritten and
/// rehashed behind the product's back — which `dossier.audit_verify()` alone
/// accepts — are found by `AUDIT VERIFY`, and so are forged or deleted seals.
@Suite struct AuditSealTests {
    static let key = try! AuditKey(text: "a-key-of-the-daemons-never-in-the-database-0123")

    func sealedServer() async throws -> (TestServer, Company) {
        let server = try await TestServer { $0.auditKey = Self.key }
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        for _ in 0..<3 { _ = try await company.draft(rep) }
        return (server, company)
    }

    func total(_ sql: PostgresConnection) throws -> Int {
        try sql.query("SELECT count(*)::int8 FROM dossier.audit_log").rows[0].decode(0, as: Int.self)
    }

    /// Rewrites the row at `position` of `chain` and rehashes it and every
    /// later row of the chain, then moves the head: what `audit_verify()` misses.
    static func rewriteAndReseal(_ sql: PostgresConnection, chain: Int, position: Int64) throws {
        try sql.execute(script: """
            ALTER TABLE dossier.audit_log DISABLE TRIGGER audit_log_append_only;
            UPDATE dossier.audit_log SET purpose = 'forged' WHERE chain = \(chain) AND position = \(position);
            DO $$
            DECLARE
                r record;
                prev bytea := coalesce((SELECT hash FROM dossier.audit_log WHERE chain = \(chain) AND position = \(position) - 1), '\\x'::bytea);
            BEGIN
                FOR r IN SELECT id FROM dossier.audit_log WHERE chain = \(chain) AND position >= \(position) ORDER BY position LOOP
                    UPDATE dossier.audit_log a SET prev_hash = prev, hash = dossier.audit_digest(prev, a) WHERE a.id = r.id
                    RETURNING hash INTO prev;
                END LOOP;
                UPDATE dossier.audit_chains SET last_hash = prev WHERE chain = \(chain);
            END $$;
            ALTER TABLE dossier.audit_log ENABLE TRIGGER audit_log_append_only;
            """)
    }

    @Test func aRewrittenAndRehashedTailIsFound() async throws {
        let (server, company) = try await sealedServer()
        let sql = try server.database.admin()
        defer { sql.close() }
        let auditor = try await company.client("aud")
        let before = try total(sql)
        #expect(try await auditor.request("AUDIT VERIFY") == ["OK verified \(before) seals=0 checkpoint=K1"])
        // More rows after the seal; the next verification checks them (only
        // them: from the checkpoint), seals again and records a checkpoint.
        _ = try await company.draft(try await company.client("li.na"))
        #expect(try await auditor.request("AUDIT VERIFY") == ["OK verified \(try total(sql) - before) since=K1 seals=1 checkpoint=K2"])

        // The last sealed row of one chain, rewritten and rehashed to its head.
        let heads = try sql.query("SELECT heads FROM dossier.audit_seals ORDER BY id DESC LIMIT 1").rows[0].decode(0, as: String.self)
        let head = try #require(heads.split(separator: ",").first).split(separator: ":")
        let (chain, position) = (Int(head[0])!, Int64(head[1])!)
        try Self.rewriteAndReseal(sql, chain: chain, position: position)
        // The chains alone no longer notice...
        let structural = try sql.query("SELECT broken_at FROM dossier.audit_verify()").rows[0]
        #expect(structural["broken_at"] == nil)
        // ...the seal does.
        #expect(try await auditor.request("AUDIT VERIFY")
                == ["ERR CONFLICT chain \(chain) position \(position) differs from seal S2"])
        try await server.shutdown()
    }

    @Test func forgedAndMissingSealsAreFound() async throws {
        let (server, company) = try await sealedServer()
        let sql = try server.database.admin()
        defer { sql.close() }
        let director = try await company.client("dir")
        for seals in 0..<3 { #expect(try await director.request("AUDIT VERIFY").first?.contains(" seals=\(seals) ") == true) }
        // A seal made without the key (the superuser has everything else).
        try sql.execute(script: """
            INSERT INTO dossier.audit_seals (sealed_by, key_id, heads, prev_mac, mac)
            SELECT 'x', s.key_id, s.heads, s.mac, sha256(s.mac) FROM dossier.audit_seals s ORDER BY s.id DESC LIMIT 1
            """)
        #expect(try await director.request("AUDIT VERIFY") == ["ERR CONFLICT seal S4 is not authentic"])
        // A seal taken out of the sequence.
        try sql.execute(script: """
            ALTER TABLE dossier.audit_seals DISABLE TRIGGER audit_seals_permanent;
            DELETE FROM dossier.audit_seals WHERE id IN (2, 4);
            ALTER TABLE dossier.audit_seals ENABLE TRIGGER audit_seals_permanent;
            """)
        #expect(try await director.request("AUDIT VERIFY") == ["ERR CONFLICT seal S3 does not follow the seal before it"])
        try await server.shutdown()
    }

    /// The embedded default keeps its key in a file of its own, created once.
    @Test func keyFileIsCreatedOnceAndPrivate() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).key").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try AuditKey.loadOrCreate(file: path)
        let again = try AuditKey.loadOrCreate(file: path)
        #expect(first.id == again.id)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(throws: AuditKey.Failure.self) { try AuditKey(text: "short") }
    }
}
