import Postgres
import Testing
import TestSupport

/// The AUTH lockout (5 failures in 15 minutes) holds under parallel guesses,
/// and an administrator sees and clears it (issue 10, point 7).
@Suite struct LockoutTests {
    @Test func parallelWrongGuessesCountFiveAtMost() async throws {
        let server = try await TestServer()
        let admin = try await server.admin()
        #expect(try await admin.request("DEPT ADD SH name=上海") == ["OK SH"])
        #expect(try await admin.request("USER ADD li.na name=李娜 dept=SH role=rep password=s3cret") == ["OK li.na"])
        let guesses = 12
        var clients: [LineClient] = []
        for _ in 0..<guesses { clients.append(try await server.client()) }
        let answers = try await withThrowingTaskGroup(of: [String].self) { group in
            for client in clients { group.addTask { try await client.request("AUTH li.na wrong") } }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(answers.allSatisfy { $0 == ["ERR AUTH invalid credentials"] })
        let sql = try server.database.admin()
        defer { sql.close() }
        let counted = try sql.query("SELECT count(*)::int8 FROM dossier.auth_failures WHERE login = 'li.na'").rows[0].decode(0, as: Int.self)
        #expect(counted == 5)

        // The administrator sees the lockout and clears it.
        let listed = try await admin.request("USER LIST")
        #expect(listed.contains { $0.contains("login=li.na") && $0.contains("locked=yes") }, "\(listed)")
        #expect(listed.contains { $0.contains("login=admin") && $0.contains("locked=no") }, "\(listed)")
        #expect(try await clients[0].request("AUTH li.na s3cret") == ["ERR AUTH invalid credentials"])
        #expect(try await admin.request("USER UNLOCK li.na") == ["OK li.na"])
        #expect(try await admin.request("USER UNLOCK nobody") == ["ERR NOTFOUND no user nobody"])
        #expect(try await admin.request("USER LIST").contains { $0.contains("login=li.na") && $0.contains("locked=no") })
        #expect(try await clients[0].request("AUTH li.na s3cret") == ["OK li.na role=rep dept=SH"])
        // Only an administrator unlocks.
        #expect(try await clients[0].request("USER UNLOCK li.na").first?.hasPrefix("ERR DENIED") == true)
        try await server.shutdown()
    }
}
