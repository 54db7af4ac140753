import ArgumentParser
import DossierConsole
import DossierProtocol
import Glibc
import LineTransport

/// `dossier`: the DOSSIER/1 console client.
struct DossierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dossier",
        abstract: "Console client for dossierd (the DOSSIER/1 line protocol).",
        discussion: """
            Without -c or -f, at a terminal: an interactive console with line editing \
            and history (~/.dossier_history, last 1000 lines; lines that may hold a \
            password and lines starting with a space are not kept). Keys: Tab completes \
            verbs, subverbs, key= names and enum values (from the server's HELP); \
            Ctrl-R searches history backwards (again for older, Enter runs, Ctrl-G \
            cancels); Left/Right, Home/End (Ctrl-A/E), Ctrl-Left/Right by word, Up/Down \
            for history, Backspace/Delete, Ctrl-W/U/K delete a word / to the start / to \
            the end, Ctrl-L clears the screen, Ctrl-C abandons the line, Ctrl-D on an \
            empty line quits. `AUTH <login>` and `USER PASSWD <login>` ask for the \
            password without echo. The prompt shows login@department (and the server \
            when it is not 127.0.0.1:7878). After a dropped connection the console \
            reconnects and logs in again. Console commands: \\x [on|off|auto] expanded \
            layout, \\all [on|off] follow next= cursors, \\pager [on|off], \\? lists \
            them, \\q quits.

            Scripts: -c (repeatable), -f FILE, or lines on standard input run every \
            line in order (lines starting with # are comments); ERR lines go to \
            standard error. --stop-on-error stops at the first failed line.

            The session language (LANG zh-CN|en: messages and HELP summaries) follows \
            --lang, else the locale (LC_ALL, LC_MESSAGES, LANG); error codes, verbs, \
            keys and data are the same in both.

            TLS: --tls talks TLS to a daemon started with --tls-cert/--tls-key and \
            checks its certificate: signed by the CA of --ca FILE (else one the \
            system trusts) and issued for --host (a name, or an address in the \
            certificate). --ca implies --tls. A certificate that fails the check ends \
            the session before anything is sent (exit status 2).

            Exit status: 0 every request succeeded; 1 a request was answered ERR; 2 the \
            connection failed, was refused or was lost, or the server's certificate was \
            refused; 3 the --auth login failed.
            """
    )

    @Option(help: "Server host name or address.")
    var host = PromptText.defaultHost

    @Option(help: "Server port.")
    var port = PromptText.defaultPort

    @Flag(help: "Connect with TLS and verify the server's certificate (against --ca, else the system's CAs).")
    var tls = false

    @Option(help: ArgumentHelp("PEM file of the CA certificate(s) that sign the server's certificate; implies --tls.",
                               valueName: "file"))
    var ca: String?

    @Option(name: [.customShort("c"), .customLong("command")],
            help: ArgumentHelp("Run this request (repeatable); then exit.", valueName: "request"))
    var commands: [String] = []

    @Option(name: [.customShort("f"), .customLong("file")],
            help: ArgumentHelp("Run the requests in this file, one per line; then exit.", valueName: "file"))
    var file: String?

    @Option(help: ArgumentHelp("Log in first as this user; the password comes from DOSSIER_PASSWORD, or is asked for without echo at a terminal.",
                               valueName: "login"))
    var auth: String?

    @Flag(help: "Stop a script (-c, -f, standard input) at the first request answered ERR.")
    var stopOnError = false

    @Flag(help: "Print response lines exactly as received (no tables).")
    var raw = false

    @Flag(help: "Print data lines as CSV (a header line, then one line per row).")
    var csv = false

    @Flag(help: "Print each response as one JSON object per line (as FORMAT json).")
    var json = false

    @Flag(help: "Follow next= cursors: show every page of a listing as one.")
    var all = false

    @Option(help: ArgumentHelp("Expanded layout (one line per field): auto (when a table is wider than the terminal), on, off.",
                               valueName: "mode"))
    var expanded: ExpandedMode = .auto

    @Flag(help: "Never send output through $PAGER.")
    var noPager = false

    @Option(help: ArgumentHelp("Language of messages and HELP summaries: zh-CN or en (default: from the locale).",
                               valueName: "lang"))
    var lang: String?

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1…65535") }
        guard [raw, csv, json].filter({ $0 }).count <= 1 else { throw ValidationError("choose one of --raw, --csv, --json") }
        guard commands.isEmpty || file == nil else { throw ValidationError("give -c or -f, not both") }
        if let lang, !["zh-CN", "en"].contains(lang) { throw ValidationError("--lang must be zh-CN or en") }
    }

    func run() throws {
        // A pager quit early or `| head` closes the pipe: an error to handle, not a signal.
        signal(SIGPIPE, SIG_IGN)
        let errors = ConsoleOutput.standardError
        var settings = DisplaySettings()
        settings.style = raw ? .raw : csv ? .csv : json ? .json : .table
        settings.expanded = expanded
        settings.followCursors = all
        settings.pager = !noPager
        // Editing needs a terminal on both sides; otherwise lines are read plainly.
        let interactive = commands.isEmpty && file == nil
            && Terminal.isTerminal(STDIN_FILENO) && Terminal.isTerminal(STDOUT_FILENO)
        let language = lang ?? ConsoleLanguage.fromLocale(Self.environment())
        do {
            let tlsSettings = try tls || ca != nil ? TLSClientSettings(caFile: ca) : nil
            let client = try DossierClient(host: host, port: port, tls: tlsSettings, settings: settings,
                                           interactive: interactive, language: language)
            guard ResponseCollector.isSuccess(client.greeting) else {
                errors.write("dossier: server refused the connection: \(client.greeting)\n")
                throw ExitCode(ExitStatus.connectionFailed.rawValue)
            }
            let completion = interactive ? try client.fetchCompletionTable() : nil
            try client.sendLanguage()
            if interactive { client.show([client.greeting]) }
            if let auth, try !logIn(client, login: auth, echo: interactive) {
                throw ExitCode(ExitStatus.loginFailed.rawValue)
            }
            if interactive {
                try runInteractive(client, completion: completion)
            } else {
                let status = try runScript(client, lines: try scriptLines())
                if status != .success { throw ExitCode(status.rawValue) }
            }
        } catch let error as ConnectionError {
            errors.write("dossier: \(error)\n")
            throw ExitCode(ExitStatus.connectionFailed.rawValue)
        }
    }

    /// The script's lines: the -c requests, the -f file's lines, or standard input's.
    private func scriptLines() throws -> AnySequence<String> {
        if !commands.isEmpty { return AnySequence(commands) }
        if let file {
            guard let contents = Self.read(file) else {
                ConsoleOutput.standardError.write("dossier: cannot read \(file): \(String(cString: strerror(errno)))\n")
                throw ExitCode(ExitStatus.commandFailed.rawValue)
            }
            return AnySequence(contents.split(separator: "\n", omittingEmptySubsequences: false).map {
                $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
            })
        }
        return AnySequence(AnyIterator { readLine() })
    }

    /// Runs every line (no prompts, no editing) and returns the status: non-zero
    /// if any failed. Blank lines and `#` comments are skipped; QUIT ends it.
    private func runScript(_ client: DossierClient, lines: AnySequence<String>) throws -> ExitStatus {
        var run = ScriptRun(stopOnError: stopOnError)
        for line in lines {
            guard !RequestInspector.isBlank(line), !line.drop(while: { $0 == " " }).hasPrefix("#") else { continue }
            let succeeded: Bool
            if MetaCommand.isMeta(line) {
                var quit = false
                succeeded = runMeta(line, client, quit: &quit)
                if quit { break }
            } else {
                succeeded = try client.execute(try withPassword(line))
                if RequestInspector.isQuit(line) && succeeded { break }
            }
            if !run.record(succeeded: succeeded) { break }
        }
        return run.status
    }

    /// The console: edit, send, print, until QUIT or end of input.
    private func runInteractive(_ client: DossierClient, completion: CompletionTable?) throws {
        let editor = LineEditor(prompt: client.prompt, historyFile: HistoryFile.standard())
        editor.completer = completion.map { Completer(table: $0, metaCommands: MetaCommand.names) }
        while let line = editor.readLine() {
            guard !RequestInspector.isBlank(line) else { continue }
            if MetaCommand.isMeta(line) {
                var quit = false
                _ = runMeta(line, client, quit: &quit)
                if quit { return }
                continue
            }
            let succeeded = try client.execute(try withPassword(line))
            if RequestInspector.isQuit(line) && succeeded { return }
            editor.prompt = client.prompt
        }
    }

    /// `AUTH <login>` / `USER PASSWD <login>` with the password asked for without
    /// echo; other lines as they are.
    private func withPassword(_ line: String) throws -> String {
        guard let request = RequestInspector.secretRequest(line),
              let password = Terminal.readSecret(prompt: request.prompt)
        else { return line }
        return request.line(password: password)
    }

    /// Runs a console command; returns whether it was understood.
    private func runMeta(_ line: String, _ client: DossierClient, quit: inout Bool) -> Bool {
        let command: MetaCommand
        do {
            command = try MetaCommand.parse(line)
        } catch {
            ConsoleOutput.standardError.write("dossier: \(error.message)\n")
            return false
        }
        let output = ConsoleOutput.standardOutput
        switch command {
        case .expanded(let mode):
            client.settings.expanded = mode ?? client.settings.expanded.toggled
            output.write("Expanded display is \(client.settings.expanded.rawValue).\n")
        case .followCursors(let on):
            client.settings.followCursors = on ?? !client.settings.followCursors
            output.write("Following next= cursors is \(client.settings.followCursors ? "on" : "off").\n")
        case .pager(let on):
            client.settings.pager = on ?? !client.settings.pager
            output.write("Pager is \(client.settings.pager ? "on" : "off").\n")
        case .help:
            output.write(lines: MetaCommand.helpLines)
        case .quit:
            quit = true
        }
        return true
    }

    /// Logs in with the password from `DOSSIER_PASSWORD`, or asked for without echo
    /// at a terminal.
    private func logIn(_ client: DossierClient, login: String, echo: Bool) throws -> Bool {
        let password: String
        if let fromEnvironment = getenv("DOSSIER_PASSWORD") {
            password = String(cString: fromEnvironment)
        } else if let typed = Terminal.readSecret(prompt: "Password for \(login): ") {
            password = typed
        } else {
            ConsoleOutput.standardError.write("dossier: --auth needs a terminal to ask for the password, or DOSSIER_PASSWORD\n")
            return false
        }
        return try client.logIn(login: login, password: password, echo: echo)
    }

    private static func environment() -> [String: String] {
        var out: [String: String] = [:]
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let value = getenv(name) { out[name] = String(cString: value) }
        }
        return out
    }

    /// A whole file as text; nil when it cannot be read.
    private static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension ExpandedMode: ExpressibleByArgument {}
