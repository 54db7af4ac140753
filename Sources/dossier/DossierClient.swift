import DossierConsole
import DossierProtocol
import Glibc
import LineTransport

/// How the console shows answers; changed by options and console commands.
struct DisplaySettings {
    var style: OutputStyle = .table
    var expanded: ExpandedMode = .auto
    /// Follow `next=` cursors (`--all`, `\all`).
    var followCursors = false
    /// Long output through `$PAGER` (interactive only; `--no-pager`, `\pager off`).
    var pager = true
}

/// One console session: sends request lines, reads each response, prints it.
///
/// Data goes to standard output, `ERR` lines to standard error (as psql does),
/// so a script's output holds only data. Responses are shown as tables, CSV or
/// JSON (`DisplaySettings.style`); in `FORMAT json` lines are printed as received.
/// The session follows `FORMAT` and `AUTH` itself: it knows the request, and a
/// successful answer means the server switched. After a dropped connection an
/// interactive session reconnects, logs in again and says so.
final class DossierClient {
    let host: String
    let port: Int
    /// TLS settings (`--tls`, `--ca`); nil: plain TCP.
    let tls: TLSClientSettings?
    private var connection: LineConnection
    private(set) var greeting: String
    var settings: DisplaySettings
    /// Whether a person is at a terminal: pager, reconnecting, password prompts.
    let interactive: Bool
    /// The language asked of the server (`LANG`), sent again after a reconnect.
    let language: String?
    private let output = ConsoleOutput.standardOutput
    private let errors = ConsoleOutput.standardError
    private var collector = ResponseCollector()
    private(set) var format: OutputFormat = .text
    /// Who is logged in, for the prompt.
    private(set) var identity: SessionIdentity?
    /// The last successful login, kept in memory only, to log in again after a reconnect.
    private var credentials: Auth?

    init(host: String, port: Int, tls: TLSClientSettings?, settings: DisplaySettings, interactive: Bool,
         language: String?) throws(ConnectionError) {
        self.host = host
        self.port = port
        self.tls = tls
        self.settings = settings
        self.interactive = interactive
        self.language = language
        (connection, greeting) = try Self.open(host: host, port: port, tls: tls)
    }

    /// Opens a connection and reads the greeting line (`OK DOSSIER/1 …`, or
    /// `ERR …` when the server turns the connection away).
    private static func open(host: String, port: Int, tls: TLSClientSettings?) throws(ConnectionError) -> (LineConnection, String) {
        let connection = try LineConnection.open(host: host, port: port, tls: tls)
        guard let line = try connection.readLine() else {
            // A TLS port says nothing to a plain client and closes it at its login clock.
            if tls == nil { throw .io("the server closed the connection without a greeting; if it speaks TLS, connect with --tls (and --ca)") }
            throw .closed
        }
        return (connection, line)
    }

    var prompt: String { PromptText.make(identity: identity, host: host, port: port) }

    /// Asks the server for the session language; an older server without `LANG`
    /// just keeps its default.
    func sendLanguage() throws(ConnectionError) {
        guard let language else { return }
        _ = try send("LANG \(language)")
    }

    /// `HELP`'s rows, read once per session for tab completion (before `LANG`, so
    /// summaries are in the table's own words).
    func fetchCompletionTable() throws(ConnectionError) -> CompletionTable {
        let lines = try send("HELP")
        let rows = lines.dropLast().compactMap { line -> Row? in
            guard case .row(let row)? = try? ResponseLine.parse(line) else { return nil }
            return row
        }
        return CompletionTable(helpRows: rows)
    }

    /// Sends one request and returns its response's lines (the final line last),
    /// without printing them.
    func send(_ line: String) throws(ConnectionError) -> [String] {
        try connection.send(line)
        while true {
            guard let received = try connection.readLine() else { throw .closed }
            if let response = collector.add(received) {
                noteSuccess(of: line, response[response.count - 1])
                return response
            }
        }
    }

    /// Follows what a successful request changed on the server: the format, the login.
    private func noteSuccess(of line: String, _ finalLine: String) {
        guard ResponseCollector.isSuccess(finalLine) else { return }
        switch try? CommandParser.parse(line) {
        case .format(let requested)?:
            format = requested
        case .auth(let auth)?:
            credentials = auth
            identity = SessionIdentity(okLine: finalLine) ?? SessionIdentity(login: auth.login.rawValue)
        default:
            break
        }
    }

    /// Logs in with `login` and `password`; prints the answer when `echo` or when
    /// it failed. Returns whether it succeeded.
    func logIn(login: String, password: String, echo: Bool) throws(ConnectionError) -> Bool {
        // Quoted as the protocol needs, e.g. a password with `=` or a space.
        let response = try send("AUTH \(TextResponseEncoder.quote(login)) \(TextResponseEncoder.quote(password))")
        let succeeded = ResponseCollector.isSuccess(response[response.count - 1])
        if echo || !succeeded { show(response) }
        return succeeded
    }

    /// Sends one request (following `next=` cursors when asked), prints its
    /// response, and returns whether it succeeded. At a terminal a dropped
    /// connection is reopened; a request that may have reached the server is not
    /// sent again, because it may have run.
    func execute(_ line: String) throws(ConnectionError) -> Bool {
        do {
            try printUnsolicited()
        } catch {
            guard interactive else { throw error }
            try reconnect(after: error)
        }
        do {
            let response = try request(line)
            show(response)
            // The server closes right after some answers (`ERR SHUTDOWN`, an idle
            // timeout); say so now rather than when the next request fails. After QUIT
            // the close is expected.
            if !RequestInspector.isQuit(line) { try printUnsolicited() }
            return ResponseCollector.isSuccess(response[response.count - 1])
        } catch {
            guard interactive, !RequestInspector.isQuit(line) else { throw error }
            try reconnect(after: error)
            errors.write("dossier: the request was not sent again; it may or may not have run\n")
            return false
        }
    }

    /// One request's response; with `followCursors`, every page of a listing.
    private func request(_ line: String) throws(ConnectionError) -> [String] {
        var response = try send(line)
        guard settings.followCursors, format == .text,
              var cursor = CursorFollowing.nextCursor(response[response.count - 1]) else { return response }
        var pages = [response]
        var seen: Set<String> = []
        while seen.insert(cursor).inserted, let next = CursorFollowing.nextRequest(line, cursor: cursor) {
            response = try send(next)
            pages.append(response)
            guard ResponseCollector.isSuccess(response[response.count - 1]) else { return response }
            guard let following = CursorFollowing.nextCursor(response[response.count - 1]) else { break }
            cursor = following
        }
        return CursorFollowing.merge(pages)
    }

    /// Opens a new connection after `error` and restores the session: language,
    /// login, format. Says what happened; throws when the server cannot be reached.
    private func reconnect(after error: ConnectionError) throws(ConnectionError) {
        errors.write("dossier: \(error); reconnecting to \(host):\(port)…\n")
        collector = ResponseCollector()
        (connection, greeting) = try Self.open(host: host, port: port, tls: tls)
        guard ResponseCollector.isSuccess(greeting) else { throw .io("server refused the connection: \(greeting)") }
        let wanted = format
        format = .text
        try sendLanguage()
        var restored = "reconnected"
        if let credentials {
            let response = try send("AUTH \(TextResponseEncoder.quote(credentials.login.rawValue)) \(TextResponseEncoder.quote(credentials.password.revealed))")
            if ResponseCollector.isSuccess(response[response.count - 1]) {
                restored += " as \(credentials.login.rawValue)"
            } else {
                identity = nil
                self.credentials = nil
                show(response)
                restored += "; logging in again failed"
            }
        }
        if wanted == .json && identity != nil { _ = try send("FORMAT json") }
        errors.write("dossier: \(restored)\n")
    }

    /// Prints a response: data to standard output (through the pager when it is
    /// longer than the screen), the final line to standard output, or to standard
    /// error if it is an error.
    func show(_ lines: [String]) {
        var style = settings.style
        if format == .json && style != .raw { style = .json }
        var lines = lines
        if settings.style == .json && format == .text { lines = JSONConversion.convert(lines) }
        let width = Terminal.isTerminal(output.fd) ? Terminal.columns(output.fd) : nil
        let table = TableRenderer(maximumWidth: width, expanded: settings.expanded)
        let rendered = ResponseRenderer(table: table, style: style).split(lines)
        page(rendered.body)
        if let final = rendered.final {
            if rendered.succeeded { output.write(lines: [final]) } else { errors.write(lines: [final]) }
        }
    }

    /// Writes `lines`, through `$PAGER` when at a terminal and longer than it.
    private func page(_ lines: [String]) {
        guard interactive, settings.pager, Terminal.isTerminal(output.fd),
              let rows = Terminal.rows(output.fd), lines.count > rows - 2,
              Pager.run(lines)
        else {
            output.write(lines: lines)
            return
        }
    }

    /// Shows what the server said on its own while the user was typing (`ERR LIMIT
    /// idle timeout`, `ERR SHUTDOWN`), so it is not taken for the next answer;
    /// throws if the server has closed the connection.
    private func printUnsolicited() throws(ConnectionError) {
        while try connection.hasPendingInput() {
            guard let line = try connection.readLine() else { throw .closed }
            show([line])
        }
    }
}
