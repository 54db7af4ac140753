import DossierProtocol
import DossierServer
import Foundation
import Postgres
import Testing
import TestSupport

/// PROTOCOL.md "Session" and "Directory", over real sockets.
@Suite struct SessionTests {
    @Test func onlyPingAuthHelpQuitBeforeLogin() async throws {
        let server = try await TestServer()
        let client = try await server.client()
        #expect(try await client.request("PING") == ["OK PONG"])
        #expect(try await client.request("HELP PING").last == "OK 1")
        #expect(try await client.request("WHOAMI") == ["ERR AUTH login required"])
        #expect(try await client.request("DEPT LIST") == ["ERR AUTH login required"])
        #expect(try await client.request("FORMAT json") == ["ERR AUTH login required"])
        #expect(try await client.request("NOSUCH verb") == ["ERR UNKNOWN no such verb; try HELP"])
        #expect(try await client.request("QUIT") == ["OK bye"])
        #expect(try await client.readLine() == nil)
        try await server.shutdown()
    }

    @Test func helpListsEveryVerbOfTheCommandTable() async throws {
        let server = try await TestServer()
        let response = try await server.client().request("HELP")
        #expect(response.last == "OK \(CommandTable.all.count)")
        #expect(response.count == CommandTable.all.count + 1)
        #expect(response.contains { $0.hasPrefix("* verb=\"DOSSIER NEW\" usage=") })
        try await server.shutdown()
    }

    @Test func wrongPasswordAndUnknownLoginLookAlikeThenLockout() async throws {
        let server = try await TestServer()
        let admin = try await server.admin()
        #expect(try await admin.request("DEPT ADD SH name=上海") == ["OK SH"])
        #expect(try await admin.request("USER ADD li.na name=李娜 dept=SH role=rep password=s3cret") == ["OK li.na"])
        let client = try await server.client()
        let unknown = try await client.request("AUTH nobody s3cret")
        let wrong = try await client.request("AUTH li.na wrong")
        #expect(unknown == wrong)
        #expect(wrong == ["ERR AUTH invalid credentials"])
        for _ in 0..<4 { _ = try await client.request("AUTH li.na wrong") }
        // Five failures within 15 minutes: even the right password is refused now, with the same answer.
        #expect(try await client.request("AUTH li.na s3cret") == ["ERR AUTH invalid credentials"])
        #expect(try await client.request("WHOAMI") == ["ERR AUTH login required"])
        // Other logins are not affected.
        #expect(try await client.request("AUTH admin \(TestServer.adminPassword)") == ["OK admin role=admin dept=HQ"])
        try await server.shutdown()
    }

    @Test func jsonModeAnswersOneJSONLinePerRequest() async throws {
        let server = try await TestServer()
        let client = try await server.admin()
        // The answer to FORMAT already comes in the chosen format.
        #expect(try await client.request("FORMAT json") == ["{\"ok\":true,\"message\":\"\",\"rows\":[]}"])
        let lines = [try await client.request("DEPT LIST"), try await client.request("DEPT ADD")]
        for response in lines {
            #expect(response.count == 1)
        }
        let ok = try JSONSerialization.jsonObject(with: Data(lines[0][0].utf8)) as? [String: Any]
        #expect(ok?["ok"] as? Bool == true)
        let rows = ok?["rows"] as? [[String: String]]
        #expect(rows?.first?["code"] == "HQ")
        let failed = try JSONSerialization.jsonObject(with: Data(lines[1][0].utf8)) as? [String: Any]
        #expect(failed?["ok"] as? Bool == false)
        #expect(failed?["code"] as? String == "ARGS")
        #expect(try await client.request("FORMAT text") == ["OK"])
        #expect(try await client.request("PING") == ["OK PONG"])
        try await server.shutdown()
    }

    @Test func quotedChineseTextRoundTrips() async throws {
        let server = try await TestServer()
        let client = try await server.admin()
        let names = ["上海 办事处", "北京\t\"总部\"", "a=b\\c", "换行\n第二行", "", "深圳"]
        for (index, name) in names.enumerated() where !name.isEmpty {
            let quoted = TextResponseEncoder.quote(name)
            #expect(try await client.request("DEPT ADD D\(index) name=\(quoted)") == ["OK D\(index)"])
        }
        let listed = try await client.request("DEPT LIST")
        for (index, name) in names.enumerated() where !name.isEmpty {
            let line = try #require(listed.first { $0.hasPrefix("* code=D\(index) ") })
            let parsed = try #require(try RequestLine.parse(String(line.dropFirst(2))))
            let value = parsed.tokens.compactMap { token -> String? in
                if case .keyValue(let key, let value) = token, key == "name" { return value }
                return nil
            }
            #expect(value == [name])
        }
        try await server.shutdown()
    }

    @Test func directoryCommandsWithRoleChecks() async throws {
        let server = try await TestServer()
        let admin = try await server.admin()
        #expect(try await admin.request("DEPT ADD SH name=上海办事处") == ["OK SH"])
        #expect(try await admin.request("DEPT ADD SH name=again") == ["ERR CONFLICT department exists already"])
        #expect(try await admin.request("DEPT LIST") == ["* code=HQ name=Headquarters", "* code=SH name=上海办事处", "OK 2"])
        #expect(try await admin.request("USER ADD li.na name=李娜 dept=SH role=rep password=s3cret line=service") == ["OK li.na"])
        #expect(try await admin.request("USER ADD wang name=王 dept=XX role=rep password=p") == ["ERR NOTFOUND no department XX"])
        #expect(try await admin.request("USER ADD li.na name=again dept=SH role=rep password=p") == ["ERR CONFLICT login exists already"])
        #expect(try await admin.request("USER ADD x name=x dept=SH role=king password=p").first?.hasPrefix("ERR ARGS") == true)
        #expect(try await admin.request("USER LIST dept=SH") == ["* login=li.na name=李娜 dept=SH role=rep line=service active=yes locked=no", "OK 1"])
        #expect(try await admin.request("CALENDAR SET 2026-10-01 holiday note=国庆节") == ["OK"])
        #expect(try await admin.request("CALENDAR SET 2026-10-11 workday note=调休") == ["OK"])
        #expect(try await admin.request("CALENDAR LIST month=2026-10")
                == ["* date=2026-10-01 kind=holiday note=国庆节", "* date=2026-10-11 kind=workday note=调休", "OK 2"])
        let stats = try await admin.request("STATS")
        #expect(stats.contains { $0.hasPrefix("* name=connections value=") })
        #expect(stats.last?.hasPrefix("OK ") == true)

        let rep = try await server.client(as: "li.na", password: "s3cret")
        #expect(try await rep.request("WHOAMI") == ["OK li.na role=rep dept=SH"])
        #expect(try await rep.request("DEPT ADD BJ name=北京").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await rep.request("USER LIST").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await rep.request("STATS").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await rep.request("CALENDAR LIST month=2026-10").last == "OK 2")
        #expect(try await rep.request("USER PASSWD admin hijack").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await rep.request("USER PASSWD li.na n3w") == ["OK"])
        #expect(try await server.client().request("AUTH li.na n3w") == ["OK li.na role=rep dept=SH"])
        #expect(try await admin.request("USER PASSWD nobody x") == ["ERR NOTFOUND no active user nobody"])

        // Every change above left an audit row in its own transaction.
        let audit = try server.database.admin().query("SELECT action FROM dossier.audit_log ORDER BY id").rows
            .map { try $0.decode("action", as: String.self) }
        #expect(audit == ["user.bootstrap", "dept.add", "user.add", "calendar.set", "calendar.set", "user.passwd"])
        try await server.shutdown()
    }

    @Test func failedCommandChangesNothing() async throws {
        let server = try await TestServer()
        let admin = try await server.admin()
        // The department exists check passes, the insert fails on the login check: nothing of it stays.
        #expect(try await admin.request("DEPT ADD SH name=上海") == ["OK SH"])
        #expect(try await admin.request("USER ADD a.b name=x dept=SH role=rep password=p") == ["OK a.b"])
        #expect(try await admin.request("USER ADD a.b name=y dept=SH role=manager password=p") == ["ERR CONFLICT login exists already"])
        let count = try server.database.admin().query("SELECT count(*)::int8 FROM dossier.audit_log WHERE action = 'user.add'")
        #expect(try count.rows[0].decode(0, as: Int.self) == 1)
        try await server.shutdown()
    }

    @Test func databaseOutageIsUnavailableNotInternal() async throws {
        let server = try await TestServer()
        let client = try await server.admin()
        // Take the database away under the running server.
        let postgres = try PostgresConnection(conninfo: server.database.cluster.conninfo(user: "postgres", database: "postgres"))
        defer { postgres.close() }
        try postgres.query("ALTER DATABASE \(server.database.name) ALLOW_CONNECTIONS false")
        try postgres.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1::text", [server.database.name])
        let answer = try await client.request("DEPT LIST")
        #expect(answer.first?.hasPrefix("ERR UNAVAILABLE") == true, "\(answer)")
        try postgres.query("ALTER DATABASE \(server.database.name) ALLOW_CONNECTIONS true")
        #expect(try await client.request("DEPT LIST").last == "OK 1")
        try await server.shutdown()
    }
}

@Suite struct ShutdownTests {
    @Test func commandInFlightFinishesIdleClientsAreToldAndServerStops() async throws {
        // A long deadline and lock wait: the command must finish, not be
        // cancelled or give up on the lock, however long CI's load keeps this
        // test from releasing its lock (both 10 s defaults ran out once; the
        // deadline path is tested in FaultInjectionTests).
        let server = try await TestServer(limits: DatabaseLimits(lockTimeout: .seconds(120))) {
            $0.shutdownDeadline = .seconds(120)
        }
        let busy = try await server.admin()
        let idle = try await server.admin()
        // Hold a lock so that DEPT LIST is still running when shutdown starts.
        let blocker = try server.database.admin()
        try blocker.execute(script: "BEGIN; LOCK TABLE dossier.departments IN ACCESS EXCLUSIVE MODE")
        try await busy.send("DEPT LIST")
        // Wait until the command is really in flight: its backend waits on our lock.
        let watcher = try server.database.admin()
        defer { watcher.close() }
        for _ in 0..<600 {
            let waiting = try watcher.query(
                "SELECT count(*)::int8 FROM pg_stat_activity WHERE datname = $1::text AND wait_event_type = 'Lock'",
                [server.database.name]).rows[0].decode(0, as: Int.self)
            if waiting > 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let stopping = Task { try await server.shutdown() }
        #expect(try await idle.readLine() == "ERR SHUTDOWN server is stopping")
        #expect(try await idle.readLine() == nil)
        try await Task.sleep(for: .milliseconds(300))
        try blocker.execute(script: "COMMIT")
        let answer = try await busy.readResponse()
        #expect(answer == ["* code=HQ name=Headquarters", "OK 1"], "\(answer)")
        #expect(try await busy.readLine() == "ERR SHUTDOWN server is stopping")
        #expect(try await busy.readLine() == nil)
        try await stopping.value
        // No longer accepting.
        await #expect(throws: (any Error).self) { _ = try await LineClient(port: server.port) }
        blocker.close()
    }
}
