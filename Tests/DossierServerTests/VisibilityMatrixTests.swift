import Foundation
import Postgres
import Testing
import TestSupport

/// RULES.md's visibility table through the protocol: role × own/other owner ×
/// own/other department × level × scope × status. A dossier whose register
/// entry is hidden answers NOTFOUND exactly like one that does not exist;
/// content refused for a visible entry is DENIED.
@Suite struct VisibilityMatrixTests {
    @Test func everyReaderEveryDossier() async throws {
        let server = try await TestServer()
        let sql = try server.database.admin()
        let fixture = try RecordsFixture.load(into: sql)
        let numbers = Dictionary(uniqueKeysWithValues: try sql.query(
            "SELECT id, number FROM dossier.dossiers WHERE number IS NOT NULL").rows.map {
                (try $0.decode("id", as: Int64.self), try $0.decode("number", as: String.self)) })
        sql.close()

        for user in fixture.users where user.role != "admin" {
            let client = try await server.client(as: user.login, password: "secret")
            for dossier in fixture.dossiers {
                let expected: String
                if !VisibilityOracle.register(user, dossier) {
                    expected = "ERR NOTFOUND"
                } else if !VisibilityOracle.content(user, dossier, fixture) {
                    expected = "ERR DENIED"
                } else {
                    expected = "OK 1"
                }
                let byDraftID = try await client.request("DOSSIER SHOW D\(dossier.id) purpose=matrix")
                #expect(byDraftID.last?.hasPrefix(expected) == true,
                        "\(user.login) on D\(dossier.id) (\(dossier.owner) \(dossier.level) \(dossier.scope) \(dossier.status)): \(byDraftID)")
                if let number = numbers[dossier.id] {
                    let byNumber = try await client.request("DOSSIER SHOW \(number)")
                    #expect(byNumber.last?.hasPrefix(expected) == true, "\(user.login) on \(number): \(byNumber)")
                }
            }
            // A hidden dossier and a missing one give the same answer.
            #expect(try await client.request("DOSSIER SHOW D999999") == ["ERR NOTFOUND no dossier D999999"])
            // The register listing is exactly the visible entries.
            let listed = try await client.request("DOSSIER LIST limit=1000")
            let refs = Set(listed.dropLast().compactMap { $0.firstMatch(of: /ref=D(\d+)/).map { Int64($0.1)! } })
            #expect(refs == Set(fixture.dossiers.filter { VisibilityOracle.register(user, $0) }.map(\.id)), "\(user.login)")
        }
        // The administrator reads no customer data at all.
        let admin = try await server.client(as: "adm", password: "secret")
        #expect(try await admin.request("DOSSIER LIST").first?.hasPrefix("ERR DENIED") == true)
        try await server.shutdown()
    }

    /// A BI login sees the same department rows through psql, with no daemon involved.
    @Test func biLoginThroughPsql() async throws {
        let database = try MigratedDatabase.create()
        let sql = try database.admin()
        defer { sql.close() }
        let fixture = try RecordsFixture.load(into: sql)
        let login = "bi_psql_\(database.name)"
        let command = try DaemonProcess(arguments: ["bi-login", login, "--dept", "SH", "--database-url", database.adminConninfo])
        #expect(await command.waitForExit() == 0)
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = [database.conninfo(user: login), "-X", "-A", "-t", "-c",
                          "SELECT count(*) FROM dossiers; SELECT count(*) FROM dossier_contents; SELECT count(DISTINCT dept_id) FROM dossiers"]
        let output = Pipe()
        psql.standardOutput = output
        try psql.run()
        psql.waitUntilExit()
        let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        let sh = fixture.dossiers.filter { $0.dept == "SH" }
        #expect(lines == ["\(sh.count)", "\(sh.filter { $0.level != "top_secret" }.count)", "1"])
    }
}
