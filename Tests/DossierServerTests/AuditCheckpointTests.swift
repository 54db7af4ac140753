import DossierServer
import Foundation
import Postgres
import Testing
import TestSupport

/// Incremental `AUDIT VERIFY` (issue 17, point 4): checkpoints under the audit
/// key record how far the chains were verified; the next verification checks
/// only the rows after them, `full=yes` every row. Tampering with rows after a
/// checkpoint, rows behind it (full verification) and with the checkpoints
/// themselves is found; verifications at once record one checkpoint each.
@Suite struct AuditCheckpointTests {
    static let key = AuditSealTests.key

    /// A company with a few audited commands, on a daemon with the audit key.
    func keyedServer() async throws -> (TestServer, Company, PostgresConnection) {
        let server = try await TestServer { $0.auditKey = Self.key }
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        for _ in 0..<2 { _ = try await company.draft(rep) }
        return (server, company, try server.database.admin())
    }

    func count(_ sql: PostgresConnection, _ query: String) throws -> Int {
        try sql.query(query).rows[0].decode(0, as: Int.self)
    }

    /// `n` audit rows: reads of one draft by its owner.
    func reads(_ company: Company, _ n: Int) async throws -> [Int64] {
        let rep = try await company.client("li.na")
        let ref = try await company.draft(rep)
        let sql = try company.server.database.admin()
        defer { sql.close() }
        for k in 0..<n { #expect(try await rep.request("DOSSIER SHOW \(ref) purpose=第\(k)次").last == "OK 1") }
        return try sql.query("SELECT id FROM dossier.audit_log WHERE action = 'dossier.show' AND target = $1::text ORDER BY id", [ref])
            .rows.map { try $0.decode(0, as: Int64.self) }
    }

    /// As the superuser with the triggers off.
    func tamper(_ sql: PostgresConnection, _ statement: String) throws {
        try sql.execute(script: "BEGIN; SET LOCAL session_replication_role = replica; \(statement); COMMIT;")
    }

    @Test func incrementalVerificationChecksOnlyTheRowsAfterTheCheckpoint() async throws {
        let (server, company, sql) = try await keyedServer()
        defer { sql.close() }
        let auditor = try await company.client("aud")
        let all = try count(sql, "SELECT count(*)::int8 FROM dossier.audit_log")
        // No checkpoint yet: every row.
        #expect(try await auditor.request("AUDIT VERIFY") == ["OK verified \(all) seals=0 checkpoint=K1"])
        // Nothing written since.
        #expect(try await auditor.request("AUDIT VERIFY") == ["OK verified 0 since=K1 seals=1 checkpoint=K2"])
        // Five reads (one row each) and their draft (two rows): seven rows.
        _ = try await reads(company, 5)
        #expect(try await auditor.request("AUDIT VERIFY") == ["OK verified 7 since=K2 seals=2 checkpoint=K3"])
        // full=yes: every row again, and a checkpoint of its own.
        #expect(try await company.client("dir").request("AUDIT VERIFY full=yes")
                == ["OK verified \(all + 7) seals=3 checkpoint=K4"])
        #expect(try sql.query("SELECT string_agg(mode || ':' || follows || ':' || verified, ',' ORDER BY id) FROM dossier.audit_checkpoints")
                    .rows[0].decode(0, as: String.self)
                == "full:0:\(all),incremental:1:0,incremental:2:7,full:3:\(all + 7)")
        // Who may: as the command table says.
        #expect(try await company.client("li.na").request("AUDIT VERIFY full=yes") == ["ERR DENIED AUDIT VERIFY is not for role rep"])
        #expect(try await auditor.request("AUDIT VERIFY full=maybe").first?.hasPrefix("ERR ARGS") == true)
        try await server.shutdown()
    }

    @Test func aRowChangedBehindTheCheckpointIsFoundByFullVerification() async throws {
        let (server, company, sql) = try await keyedServer()
        defer { sql.close() }
        let auditor = try await company.client("aud")
        let ids = try await reads(company, 3)
        #expect(try await auditor.request("AUDIT VERIFY").first?.hasSuffix("checkpoint=K1") == true)
        try tamper(sql, "UPDATE dossier.audit_log SET purpose = '例行检查' WHERE id = \(ids[1])")
        // The incremental verification does not read rows behind its checkpoint...
        #expect(try await auditor.request("AUDIT VERIFY") == ["OK verified 0 since=K1 seals=1 checkpoint=K2"])
        // ...a full one does.
        #expect(try await auditor.request("AUDIT VERIFY full=yes") == ["ERR CONFLICT chain broken at \(ids[1])"])
        // Rewritten and rehashed up to its chain's end, the change reaches the
        // checkpointed (and sealed) head: found without a full verification too.
        let row = try sql.query("SELECT chain, position FROM dossier.audit_log WHERE id = $1::int8", [ids[2]]).rows[0]
        try AuditSealTests.rewriteAndReseal(sql, chain: try row.decode("chain", as: Int.self),
                                            position: try row.decode("position", as: Int64.self))
        #expect(try await auditor.request("AUDIT VERIFY").first?.hasPrefix("ERR CONFLICT chain ") == true)
        try await server.shutdown()
    }

    @Test func aRowChangedAfterTheCheckpointIsFoundByIncrementalVerification() async throws {
        let (server, company, sql) = try await keyedServer()
        defer { sql.close() }
        let auditor = try await company.client("aud")
        #expect(try await auditor.request("AUDIT VERIFY").first?.hasSuffix("checkpoint=K1") == true)
        let ids = try await reads(company, 3)
        try tamper(sql, "UPDATE dossier.audit_log SET purpose = '例行检查' WHERE id = \(ids[1])")
        #expect(try await auditor.request("AUDIT VERIFY") == ["ERR CONFLICT chain broken at \(ids[1])"])
        // A row deleted after the checkpoint breaks the next row of its chain, or its head.
        _ = try await reads(company, 2)
        try tamper(sql, "DELETE FROM dossier.audit_log WHERE id = \(ids[1])")
        #expect(try await auditor.request("AUDIT VERIFY").first?.hasPrefix("ERR CONFLICT chain broken at ") == true)
        // Nothing was recorded by the failed verifications.
        #expect(try count(sql, "SELECT count(*)::int8 FROM dossier.audit_checkpoints") == 1)
        try await server.shutdown()
    }

    @Test func changedForgedAndDeletedCheckpointsAreFound() async throws {
        let (server, company, sql) = try await keyedServer()
        defer { sql.close() }
        let auditor = try await company.client("aud")
        for k in 1...3 {
            _ = try await reads(company, 1)
            #expect(try await auditor.request("AUDIT VERIFY").first?.hasSuffix("checkpoint=K\(k)") == true)
        }
        // The last checkpoint deleted: nothing is hidden, the next verification
        // starts from the one before and checks more rows: six (two drafts of two rows, two reads).
        try tamper(sql, "DELETE FROM dossier.audit_checkpoints WHERE id = 3")
        _ = try await reads(company, 1)
        #expect(try await auditor.request("AUDIT VERIFY") == ["OK verified 6 since=K2 seals=3 checkpoint=K4"])
        // A checkpoint moved on (it would skip rows) is not authentic.
        let moved = try sql.query("SELECT heads FROM dossier.audit_checkpoints WHERE id = 2").rows[0].decode(0, as: String.self)
        let first = try #require(moved.split(separator: ",").first).split(separator: ":")
        let forward = moved.replacingOccurrences(of: "\(first[0]):\(first[1]):", with: "\(first[0]):\(Int(first[1])! + 1):")
        try tamper(sql, "UPDATE dossier.audit_checkpoints SET heads = '\(forward)' WHERE id = 2")
        #expect(try await auditor.request("AUDIT VERIFY") == ["ERR CONFLICT checkpoint K2 is not authentic"])
        try tamper(sql, "UPDATE dossier.audit_checkpoints SET heads = '\(moved)' WHERE id = 2")
        // A checkpoint taken out of the middle of the sequence.
        try tamper(sql, "DELETE FROM dossier.audit_checkpoints WHERE id = 2")
        #expect(try await auditor.request("AUDIT VERIFY") == ["ERR CONFLICT checkpoint K4 does not follow the checkpoint before it"])
        // A checkpoint made without the key (the superuser has everything else).
        let other = try await TestServer { $0.auditKey = Self.key }
        let otherCompany = try await Company(other)
        let otherSQL = try other.database.admin()
        defer { otherSQL.close() }
        #expect(try await otherCompany.client("aud").request("AUDIT VERIFY").first?.hasSuffix("checkpoint=K1") == true)
        try otherSQL.execute(script: """
            INSERT INTO dossier.audit_checkpoints (follows, verified_by, mode, key_id, heads, verified, prev_mac, mac)
            SELECT k.id, 'x', 'full', k.key_id, k.heads, k.verified + 100, k.mac, sha256(k.mac)
              FROM dossier.audit_checkpoints k WHERE k.id = 1
            """)
        #expect(try await otherCompany.client("aud").request("AUDIT VERIFY") == ["ERR CONFLICT checkpoint K2 is not authentic"])
        // The database keeps one successor per checkpoint, whoever writes.
        #expect(throws: PostgresError.self) {
            try otherSQL.execute(script: """
                INSERT INTO dossier.audit_checkpoints (follows, verified_by, mode, key_id, heads, verified, prev_mac, mac)
                SELECT 1, 'x', 'full', k.key_id, k.heads, k.verified, k.mac, k.mac FROM dossier.audit_checkpoints k WHERE k.id = 1
                """)
        }
        try await other.shutdown()
        try await server.shutdown()
    }

    @Test func verificationsAtOnceRecordOneCheckpointAfterEach() async throws {
        let (server, company, sql) = try await keyedServer()
        defer { sql.close() }
        let clients = [try await company.client("aud"), try await company.client("dir"), try await server.admin()]
        for _ in 0..<3 {
            _ = try await reads(company, 2)
            let answers = try await withThrowingTaskGroup(of: [String].self) { group in
                for client in clients { group.addTask { try await client.request("AUDIT VERIFY") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for answer in answers { #expect(answer.count == 1 && answer[0].hasPrefix("OK verified "), "\(answer)") }
        }
        // One line of checkpoints, each after the one before, and all authentic.
        #expect(try count(sql, """
            SELECT count(*)::int8 FROM dossier.audit_checkpoints k
             WHERE k.follows <> coalesce((SELECT max(p.id) FROM dossier.audit_checkpoints p WHERE p.id < k.id), 0)
            """) == 0)
        let recorded = try count(sql, "SELECT count(*)::int8 FROM dossier.audit_checkpoints")
        #expect(recorded >= 3)
        #expect(try await company.client("aud").request("AUDIT VERIFY").first?.hasSuffix("checkpoint=K\(recorded + 1)") == true)
        #expect(try await company.client("aud").request("AUDIT VERIFY full=yes").first?.hasPrefix("OK verified ") == true)
        try await server.shutdown()
    }
}
