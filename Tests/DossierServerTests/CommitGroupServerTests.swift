import Dispatch
import Foundation
import Postgres
import Testing
import TestSupport

/// Commands that queue together share one commit (`ConnectionPool.groupedTransaction`);
/// each still runs as its own user, sees what that user sees, and is logged
/// under that user's name.
@Suite struct CommitGroupServerTests {
    /// Every reader of the visibility matrix at once, through one command
    /// slot held at the start, so that their `DOSSIER SHOW`s queue and
    /// commit in groups: each answer is the oracle's for its reader, and the
    /// audit log names each read's reader and dossier once.
    @Test func groupedReadersEachSeeAndAreLoggedAsThemselves() async throws {
        let server = try await TestServer(poolSize: 3, commandSlots: 1, commitGroup: 8)
        let sql = try server.database.admin()
        defer { sql.close() }
        let fixture = try RecordsFixture.load(into: sql)
        let readers = fixture.users.filter { $0.role != "admin" }
        var clients: [LineClient] = []
        for reader in readers { clients.append(try await server.client(as: reader.login, password: "secret")) }

        let release = DispatchSemaphore(value: 0)
        let holder = Task { [pool = server.pool] in try await pool.withConnection(kind: .limited) { _ in release.wait() } }
        try #require(await Polling.until(seconds: 10, every: .milliseconds(10)) { server.pool.statistics.limitedBusy == 1 })
        let answers = try await withThrowingTaskGroup(of: (RecordsFixture.User, [(Int64, String)]).self) { group in
            for (reader, client) in zip(readers, clients) {
                group.addTask {
                    var seen: [(Int64, String)] = []
                    for dossier in fixture.dossiers {
                        let answer = try await client.request("DOSSIER SHOW D\(dossier.id) purpose=grouped")
                        seen.append((dossier.id, answer.last ?? ""))
                    }
                    return (reader, seen)
                }
            }
            // The first SHOW of every reader is queued behind the held slot.
            try #require(await Polling.until(seconds: 10, every: .milliseconds(10)) { server.pool.statistics.waiting == 1 })
            try await Task.sleep(for: .milliseconds(300))
            release.signal()
            return try await group.reduce(into: [(RecordsFixture.User, [(Int64, String)])]()) { $0.append($1) }
        }
        try await holder.value
        #expect(server.pool.groupedCommits.groups >= 1)
        #expect(server.pool.groupedCommits.members >= 2)

        for (reader, seen) in answers {
            var shown: [String] = []
            for (id, last) in seen {
                let dossier = fixture.dossiers.first { $0.id == id }!
                let expected = !VisibilityOracle.register(reader, dossier) ? "ERR NOTFOUND"
                    : !VisibilityOracle.content(reader, dossier, fixture) ? "ERR DENIED" : "OK 1"
                #expect(last.hasPrefix(expected), "\(reader.login) on D\(id): \(last)")
                if expected == "OK 1" { shown.append("D\(id)") }
            }
            // One audit row per read shown, under the reader's own name.
            let logged = try sql.query(
                """
                SELECT coalesce(a.about_dossier::text, '') AS about FROM dossier.audit_log a
                 WHERE a.action = 'dossier.show' AND a.login = $1::text AND a.purpose = 'grouped' ORDER BY a.id
                """, [reader.login]).rows.map { "D" + (try $0.decode("about", as: String.self)) }
            #expect(logged.sorted() == shown.sorted(), "\(reader.login)")
        }
        try await server.shutdown()
    }
}
