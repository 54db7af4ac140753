import Foundation
import Testing
import TestSupport

/// The `dossier` binary against a real server: in a pseudo-terminal as a clerk
/// uses it (completion, history search, expanded layout, passwords without echo,
/// the prompt), and as a script (exit codes, standard error, CSV and JSON).
@Suite struct ConsoleTerminalTests {
    /// A server with the administrator and a second user, so listings have rows.
    func serverWithUsers() async throws -> TestServer {
        let server = try await TestServer()
        let admin = try await server.admin()
        #expect(try await admin.request("DEPT ADD SH name=上海分公司") == ["OK SH"])
        #expect(try await admin.request("USER ADD li.na name=李娜 dept=SH role=rep password=s3cret-pw") == ["OK li.na"])
        return server
    }

    func console(_ server: TestServer, _ arguments: [String], home: String, columns: Int = 60) throws -> PseudoTerminal {
        try PseudoTerminal(
            executable: try DossierdBinary.path(product: "dossier"),
            arguments: ["--port", "\(server.port)", "--no-pager"] + arguments,
            environment: ["HOME": home, "TERM": "xterm", "LANG": "C.UTF-8"],
            columns: columns, rows: 40)
    }

    func temporaryHome() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dossier-home-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aClerksSessionInAPseudoTerminal() async throws {
        let serverHandle = try await serverWithUsers()
        let home = try temporaryHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        // 40 columns: USER LIST's table (43) does not fit.
        let terminal = try console(serverHandle, [], home: home, columns: 40)
        // Not the default port: the prompt names the server.
        let at = "127.0.0.1:\(serverHandle.port)> "
        #expect(await terminal.waitFor("dossier " + at), "\(terminal.output)")

        // `AUTH <login>` asks for the password without echo; the prompt then says who.
        var mark = terminal.mark
        terminal.type("AUTH admin\r")
        #expect(await terminal.waitFor("Password for admin: ", since: mark), "\(terminal.output)")
        mark = terminal.mark
        terminal.type("\(TestServer.adminPassword)\r")
        #expect(await terminal.waitFor("admin@HQ " + at, since: mark), "\(terminal.output)")
        #expect(!terminal.output.contains(TestServer.adminPassword))

        // Tab completes the verb, the subverb and an enum value.
        mark = terminal.mark
        terminal.type("us\t")
        #expect(await terminal.waitFor("admin@HQ " + at + "USER ", since: mark), "\(terminal.output(since: mark))")
        mark = terminal.mark
        terminal.type("LI\t")
        #expect(await terminal.waitFor("admin@HQ " + at + "USER LIST ", since: mark), "\(terminal.output(since: mark))")
        mark = terminal.mark
        terminal.type("dept=\t")
        terminal.type("\u{15}") // Ctrl-U: start again
        terminal.type("DOSSIER NEW category=H\t")
        #expect(await terminal.waitFor("category=HT", since: mark), "\(terminal.output(since: mark))")
        #expect(await terminal.waitFor("category=HD", since: mark), "\(terminal.output(since: mark))")
        terminal.type("\u{15}")

        // A listing wider than 60 columns comes in the expanded layout.
        mark = terminal.mark
        terminal.type("USER LIST\r")
        #expect(await terminal.waitFor("OK 2", since: mark), "\(terminal.output(since: mark))")
        let listing = terminal.output(since: mark)
        #expect(listing.contains("-[ RECORD 1 ]"), "\(listing)")
        #expect(listing.contains("-[ RECORD 2 ]"), "\(listing)")

        // `\x off` forces the table.
        mark = terminal.mark
        terminal.type("\\x off\r")
        #expect(await terminal.waitFor("Expanded display is off.", since: mark))
        mark = terminal.mark
        terminal.type("USER LIST\r")
        #expect(await terminal.waitFor("OK 2", since: mark))
        #expect(!terminal.output(since: mark).contains("-[ RECORD"))

        // Ctrl-R finds the line in history.
        mark = terminal.mark
        terminal.type("WHOAMI\r")
        #expect(await terminal.waitFor("OK admin role=admin dept=HQ", since: mark))
        mark = terminal.mark
        terminal.type("\u{12}USER")
        #expect(await terminal.waitFor("(reverse-i-search)'USER': USER LIST", since: mark), "\(terminal.output(since: mark))")
        terminal.type("\u{07}")

        // A password typed on the line is masked and stays out of history.
        mark = terminal.mark
        terminal.type("AUTH li.na s3cret-pw")
        #expect(await terminal.waitFor("AUTH li.na *********", since: mark), "\(terminal.output(since: mark))")
        terminal.type("\r")
        #expect(await terminal.waitFor("li.na@SH " + at, since: mark), "\(terminal.output(since: mark))")
        #expect(!terminal.output.contains("s3cret-pw"))

        terminal.type("QUIT\r")
        #expect(await terminal.waitForExit() == 0)
        let history = try String(contentsOfFile: home + "/.dossier_history", encoding: .utf8)
        #expect(history.contains("USER LIST"))
        #expect(!history.contains("AUTH"))
        try await serverHandle.shutdown()
    }

    @Test func authOptionAsksForThePasswordWithoutEcho() async throws {
        let server = try await serverWithUsers()
        let home = try temporaryHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let terminal = try console(server, ["--auth", "li.na"], home: home)
        #expect(await terminal.waitFor("Password for li.na: "), "\(terminal.output)")
        terminal.type("s3cret-pw\r")
        #expect(await terminal.waitFor("li.na@SH 127.0.0.1:\(server.port)> "), "\(terminal.output)")
        #expect(!terminal.output.contains("s3cret-pw"))
        terminal.type("\u{04}") // Ctrl-D
        #expect(await terminal.waitForExit() == 0)
        try await server.shutdown()
    }

    /// Runs the binary with pipes; returns (status, stdout, stderr). Waits without
    /// blocking a thread: the server under test runs on the same small thread pool.
    func run(_ server: TestServer?, _ arguments: [String], input: String? = nil,
             environment: [String: String] = [:]) async throws -> (Int32, String, String) {
        let result = try await ChildProcess.run(
            try DossierdBinary.path(product: "dossier"), (server.map { ["--port", "\($0.port)"] } ?? []) + arguments,
            input: input, environment: ["HOME": "/nonexistent", "LANG": "C"].merging(environment) { $1 })
        return (result.status, result.output, result.error)
    }

    @Test func scriptsRunEveryLineAndExitNonZeroIfAnyFailed() async throws {
        let server = try await serverWithUsers()
        let admin = ["DOSSIER_PASSWORD": TestServer.adminPassword]
        // A failing line followed by a good one still fails the script; ERR goes to stderr.
        var (status, out, err) = try await run(server, ["--auth", "admin", "-c", "DOSSIER SHOW D1", "-c", "WHOAMI"], environment: admin)
        #expect(status == 1)
        #expect(out == "OK admin role=admin dept=HQ\n")
        #expect(err == "ERR DENIED DOSSIER SHOW is not for role admin\n")

        // --stop-on-error stops at the failure.
        (status, out, err) = try await run(server, ["--auth", "admin", "--stop-on-error", "-c", "DOSSIER SHOW D1", "-c", "WHOAMI"],
                                     environment: admin)
        #expect(status == 1)
        #expect(out.isEmpty)

        // Standard input and -f run every line too; # lines are comments.
        let script = "# a comment\nPING\nNOSUCH\nPING\n"
        (status, out, err) = try await run(server, [], input: script)
        #expect(status == 1)
        #expect(out == "OK PONG\nOK PONG\n")
        #expect(err == "ERR UNKNOWN no such verb; try HELP\n")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dossier-script-\(UUID().uuidString.prefix(8))").path
        try script.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        (status, out, _) = try await run(server, ["-f", file])
        #expect(status == 1)
        #expect(out == "OK PONG\nOK PONG\n")
        (status, _, _) = try await run(server, ["-c", "PING"])
        #expect(status == 0)
        try await server.shutdown()
    }

    @Test func distinctExitCodesForLoginAndConnectionFailures() async throws {
        let server = try await serverWithUsers()
        var (status, _, err) = try await run(server, ["--auth", "admin", "-c", "WHOAMI"], environment: ["DOSSIER_PASSWORD": "wrong"])
        #expect(status == 3)
        #expect(err.contains("ERR AUTH invalid credentials"))
        // No terminal and no DOSSIER_PASSWORD: a login failure, said plainly.
        (status, _, err) = try await run(server, ["--auth", "admin", "-c", "WHOAMI"])
        #expect(status == 3)
        #expect(err.contains("DOSSIER_PASSWORD"))
        let closed = try LineClient.freePort()
        (status, _, err) = try await run(nil, ["--port", "\(closed)", "-c", "PING"])
        #expect(status == 2)
        #expect(err.contains("cannot connect"))
        try await server.shutdown()
    }

    @Test func csvJsonChineseAndEveryPage() async throws {
        let server = try await serverWithUsers()
        let admin = ["DOSSIER_PASSWORD": TestServer.adminPassword]
        var (status, out, _) = try await run(server, ["--auth", "admin", "--csv", "-c", "DEPT LIST"], environment: admin)
        #expect(status == 0)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("code,") == true, "\(out)")
        #expect(lines.contains { $0.hasPrefix("SH,上海分公司") }, "\(out)")
        #expect(!out.contains("OK"))

        (status, out, _) = try await run(server, ["--json", "-c", "PING", "-c", "WHOAMI"])
        #expect(status == 1)
        #expect(out == #"{"ok":true,"message":"PONG","rows":[]}"# + "\n")

        // The locale asks for Chinese; codes stay.
        var err: String
        (status, _, err) = try await run(server, ["-c", "WHOAMI"], environment: ["LANG": "zh_CN.UTF-8"])
        #expect(status == 1)
        #expect(err == "ERR AUTH 需要先登录\n")
        (status, _, err) = try await run(server, ["--lang", "en", "-c", "WHOAMI"], environment: ["LANG": "zh_CN.UTF-8"])
        #expect(err == "ERR AUTH login required\n")

        // --all follows next= cursors of a listing with a small limit.
        let rep = try await server.client(as: "li.na", password: "s3cret-pw")
        for index in 1...5 {
            let answer = try await rep.request("CUSTOMER NEW name=客户\(index)")
            #expect(answer.last?.hasPrefix("OK C-") == true, "\(answer)")
        }
        let paging = ["--auth", "li.na", "--csv", "-c", "CUSTOMER LIST limit=2"]
        (status, out, _) = try await run(server, paging, environment: ["DOSSIER_PASSWORD": "s3cret-pw"])
        #expect(out.split(separator: "\n").count == 1 + 2, "\(out)")
        (status, out, _) = try await run(server, ["--all"] + paging, environment: ["DOSSIER_PASSWORD": "s3cret-pw"])
        #expect(status == 0)
        #expect(out.split(separator: "\n").count == 1 + 5, "\(out)")
        try await server.shutdown()
    }

    @Test func helpShowsEveryOption() async throws {
        let (status, out, _) = try await run(nil, ["--help"])
        #expect(status == 0)
        for option in ["--host", "--port", "--command", "--file", "--auth", "--stop-on-error", "--raw", "--csv", "--json",
                       "--all", "--expanded", "--no-pager", "--lang"] {
            #expect(out.contains(option), "\(option)")
        }
    }
}

