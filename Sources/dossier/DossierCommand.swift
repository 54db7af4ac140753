import ArgumentParser
import DossierConsole
import DossierProtocol
import Glibc

/// `dossier`: the DOSSIER/1 console client.
struct DossierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dossier",
        abstract: "Console client for dossierd (the DOSSIER/1 line protocol).",
        discussion: """
            Without -c: an interactive console with line editing and history \
            (~/.dossier_history, last 1000 lines; lines that may hold a password and \
            lines starting with a space are not kept). Keys: Left/Right, Home/End \
            (Ctrl-A/E), Ctrl-Left/Right by word, Up/Down for history, Backspace/Delete, \
            Ctrl-W/U/K delete a word / to the start / to the end, Ctrl-L clears the \
            screen, Ctrl-C abandons the line, Ctrl-D on an empty line quits. With \
            stdin not a terminal, lines are read from it plainly, without prompts.

            Data lines are shown as a table unless --raw is given or the session \
            was switched to FORMAT json.

            Exit status: 0 if the last response was OK, 1 if it was ERR, 2 if the \
            connection failed or was lost. An interactive session ends with 0 \
            unless the connection was lost.
            """
    )

    @Option(help: "Server host name or address.")
    var host = "127.0.0.1"

    @Option(help: "Server port.")
    var port = 7878

    @Option(name: [.customShort("c"), .customLong("command")],
            help: ArgumentHelp("Send this request, print the response and exit (repeatable).", valueName: "request"))
    var commands: [String] = []

    @Option(help: ArgumentHelp("Log in first as this user; the password is read from DOSSIER_PASSWORD.",
                               valueName: "login"))
    var auth: String?

    @Flag(help: "Print response lines exactly as received (no tables).")
    var raw = false

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1…65535") }
    }

    func run() throws {
        let errors = ConsoleOutput.standardError
        do {
            let client = DossierClient(connection: try Connection.open(host: host, port: port), raw: raw)
            let greeting = try client.readGreeting()
            guard ResponseCollector.isSuccess(greeting) else {
                errors.write("dossier: server refused the connection: \(greeting)\n")
                throw ExitCode(2)
            }
            // Editing needs a terminal on both sides; otherwise lines are read plainly.
            let interactive = commands.isEmpty && Terminal.isTerminal(STDIN_FILENO) && Terminal.isTerminal(STDOUT_FILENO)
            if interactive { client.show([greeting]) }
            if let auth, try !logIn(client, login: auth, echo: interactive) { throw ExitCode(1) }
            if !commands.isEmpty {
                try runCommands(client)
            } else if interactive {
                try runInteractive(client)
            } else {
                try runPiped(client)
            }
        } catch let error as ConnectionError {
            errors.write("dossier: \(error)\n")
            throw ExitCode(2)
        }
    }

    /// `-c` requests, in order; the exit status is the last response's.
    private func runCommands(_ client: DossierClient) throws {
        var succeeded = true
        for command in commands where !RequestInspector.isBlank(command) {
            succeeded = try client.execute(command)
        }
        if !succeeded { throw ExitCode(1) }
    }

    /// Lines from a pipe or file: no prompt, no editing; the exit status is the last
    /// response's, as for `-c`.
    private func runPiped(_ client: DossierClient) throws {
        var succeeded = true
        while let line = readLine() {
            guard !RequestInspector.isBlank(line) else { continue }
            succeeded = try client.execute(line)
            if RequestInspector.isQuit(line) && succeeded { break }
        }
        if !succeeded { throw ExitCode(1) }
    }

    /// The console: edit, send, print, until QUIT or end of input.
    private func runInteractive(_ client: DossierClient) throws {
        let editor = LineEditor(prompt: "dossier> ", historyFile: HistoryFile.standard())
        while let line = editor.readLine() {
            guard !RequestInspector.isBlank(line) else { continue }
            let succeeded = try client.execute(line)
            if RequestInspector.isQuit(line) && succeeded { return }
        }
    }

    /// Sends `AUTH` with the password from `DOSSIER_PASSWORD` (or, at a terminal,
    /// asked for without echo). Prints the answer when `echo` or when it failed.
    private func logIn(_ client: DossierClient, login: String, echo: Bool) throws -> Bool {
        let password: String
        if let fromEnvironment = getenv("DOSSIER_PASSWORD") {
            password = String(cString: fromEnvironment)
        } else if Terminal.isTerminal(STDIN_FILENO), let typed = Terminal.readSecret(prompt: "Password for \(login): ") {
            password = typed
        } else {
            ConsoleOutput.standardError.write("dossier: --auth needs the password in DOSSIER_PASSWORD\n")
            throw ExitCode(2)
        }
        // Quoted as the protocol needs, e.g. a password with `=` or a space.
        let response = try client.send("AUTH \(TextResponseEncoder.quote(login)) \(TextResponseEncoder.quote(password))")
        let succeeded = ResponseCollector.isSuccess(response[response.count - 1])
        if echo || !succeeded { client.show(response) }
        return succeeded
    }
}
