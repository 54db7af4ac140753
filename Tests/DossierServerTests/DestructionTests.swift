import Foundation
import Postgres
import Testing
import TestSupport

/// RULES.md "Retention and destruction": destruction through approval, a
/// tombstone that keeps its number, and the permanent register.
@Suite struct DestructionTests {
    @Test func dueDossierIsDestroyedAndRegistered() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let ref = try await company.draft(rep)
        let approval = try await company.submit(rep, ref)
        _ = try await company.client("mgr.sh").request("APPROVE \(approval)")
        let number = "SH-HT-\(company.year)-0001"
        let archivist = try await company.client("arc.sh")
        let sql = try server.database.admin()
        defer { sql.close() }
        try sql.query("UPDATE dossier.customer_details SET contact = '王经理'")
        #expect(try await company.client("mgr.sh").request("CUSTOMER SET C-2026-00001 phone=13800000000 reason=登记电话").first?
            .hasSuffix(" applied") == true)

        #expect(try await archivist.request("DESTROY \(number) reason=保管期满").first?.hasPrefix("ERR CONFLICT \(number) is kept until \(company.year + 5)-") == true)
        try sql.query("UPDATE dossier.dossier_retention SET retain_until = current_date - 1 WHERE dossier_id = (SELECT id FROM dossier.dossiers WHERE number = $1::text)", [number])
        try sql.query("""
            INSERT INTO dossier.legal_holds (dossier_id, dept_id, reason, placed_by)
            SELECT d.id, d.dept_id, '诉讼', u.id FROM dossier.dossiers d, dossier.users u WHERE d.number = $1::text AND u.login = 'mgr.sh'
            """, [number])
        #expect(try await archivist.request("DESTROY \(number) reason=保管期满") == ["ERR CONFLICT \(number) is on legal hold"])
        try sql.query("UPDATE dossier.legal_holds SET released_at = now(), released_by = placed_by")

        let answer = try await archivist.request("DESTROY \(number) reason=保管期满 method=shred")
        let destroy = try #require(answer.first?.firstMatch(of: /^OK (A\d+) pending$/)?.1, "\(answer)")
        #expect(try await archivist.request("DESTROY \(number) reason=again") == ["ERR CONFLICT \(number) already has a pending destruction"])
        #expect(try await company.client("mgr.sh").request("APPROVE \(destroy)") == ["OK \(destroy) approved"])

        // The tombstone keeps its number; the content and the customer's personal data are gone.
        #expect(try await rep.request("DOSSIER LIST").contains { $0.contains("number=\(number)") && $0.contains("status=destroyed") })
        #expect(try await rep.request("DOSSIER SHOW \(number)") == ["ERR CONFLICT \(number) is destroyed; only its register entry remains"])
        let left = try sql.query("""
            SELECT (SELECT count(*) FROM dossier.dossier_contents)::int8 AS contents, (SELECT count(*) FROM dossier.items)::int8 AS items,
                   (SELECT phone_sealed IS NULL AND phone_masked IS NULL AND phone_index IS NULL AND contact IS NULL
                           AND NOT EXISTS (SELECT 1 FROM dossier.customer_keys k WHERE k.customer_id = c.id)
                      FROM dossier.customer_details d JOIN dossier.customers c ON c.id = d.customer_id
                     WHERE c.number = 'C-2026-00001') AS purged
            """).rows[0]
        #expect(try left.decode("contents", as: Int.self) == 0)
        #expect(try left.decode("items", as: Int.self) == 0)
        #expect(try left.decode("purged", as: Bool.self))

        let register = try await company.client("aud").request("DESTRUCTION LIST")
        #expect(register.count == 2)
        #expect(register.first?.contains("number=\(number) category=HT level=internal dept=SH") == true, "\(register)")
        #expect(register.first?.contains("reason=保管期满 method=shred requested_by=arc.sh approved_by=mgr.sh") == true, "\(register)")
        #expect(try await company.client("aud").request("DESTRUCTION LIST year=1999") == ["OK 0"])

        // The register survives every attempt through the daemon's role.
        let daemon = try server.database.daemon()
        defer { daemon.close() }
        for statement in ["UPDATE dossier.destructions SET reason = 'x'", "DELETE FROM dossier.destructions"] {
            #expect(throws: PostgresError.self) { try daemon.asUser(company.userID("dir", sql)) { try $0.query(statement) } }
        }
        #expect(try sql.query("SELECT count(*)::int8 FROM dossier.destructions").rows[0].decode(0, as: Int.self) == 1)
        try await server.shutdown()
    }

    @Test func classifiedDestructionNeedsADirector() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let ref = try await company.draft(rep, extra: "level=secret")
        _ = try await company.client("mgr.sh").request("APPROVE \(try await company.submit(rep, ref))")
        try server.database.admin().query("UPDATE dossier.dossier_retention SET retain_until = current_date - 1")
        let answer = try await company.client("arc.sh").request("DESTROY \(ref) reason=期满")
        let destroy = try #require(answer.first?.firstMatch(of: /^OK (A\d+) pending$/)?.1, "\(answer)")
        #expect(try await company.client("mgr.sh").request("APPROVE \(destroy)") == ["ERR DENIED \(destroy) waits for a director, step 1"])
        #expect(try await company.client("dir").request("APPROVE \(destroy)") == ["OK \(destroy) approved"])
        try await server.shutdown()
    }
}

extension Company {
    func userID(_ login: String, _ sql: PostgresConnection) throws -> Int64 {
        try sql.query("SELECT id FROM dossier.users WHERE login = $1::text", [login]).rows[0].decode(0, as: Int64.self)
    }
}
