import DossierConsole
import DossierProtocol

/// One console session: sends request lines, reads each response, prints it.
///
/// Responses are shown as tables (`ResponseRenderer`) unless the user asked for
/// `--raw` or switched the session to `FORMAT json`, where lines are printed as
/// received. The session follows `FORMAT` itself: it knows the request, and a
/// successful answer means the server switched.
final class DossierClient {
    private let connection: Connection
    private let raw: Bool
    private let output = ConsoleOutput.standardOutput
    private var collector = ResponseCollector()
    private(set) var format: OutputFormat = .text

    init(connection: Connection, raw: Bool) {
        self.connection = connection
        self.raw = raw
    }

    /// Reads the greeting line (`OK DOSSIER/1 …`, or `ERR …` when the server turns
    /// the connection away).
    func readGreeting() throws(ConnectionError) -> String {
        guard let line = try connection.readLine() else { throw .closed }
        return line
    }

    /// Sends one request and returns its response's lines (the final line last),
    /// without printing them.
    func send(_ line: String) throws(ConnectionError) -> [String] {
        try connection.send(line)
        while true {
            guard let received = try connection.readLine() else { throw .closed }
            if let response = collector.add(received) {
                if let requested = RequestInspector.requestedFormat(line),
                   ResponseCollector.isSuccess(response[response.count - 1]) {
                    format = requested
                }
                return response
            }
        }
    }

    /// Sends one request, prints its response, and returns whether it succeeded.
    @discardableResult
    func execute(_ line: String) throws(ConnectionError) -> Bool {
        try printUnsolicited()
        let response = try send(line)
        show(response)
        // The server closes right after some answers (`ERR SHUTDOWN`, an idle
        // timeout); say so now rather than when the next request fails. After QUIT
        // the close is expected.
        if !RequestInspector.isQuit(line) { try printUnsolicited() }
        return ResponseCollector.isSuccess(response[response.count - 1])
    }

    /// Prints response lines, as a table or as received.
    func show(_ lines: [String]) {
        if raw || format == .json {
            output.write(lines: lines)
        } else {
            let width = Terminal.isTerminal(output.fd) ? Terminal.columns(output.fd) : nil
            output.write(lines: ResponseRenderer(table: TableRenderer(maximumWidth: width)).render(lines))
        }
    }

    /// Shows what the server said on its own while the user was typing (`ERR LIMIT
    /// idle timeout`, `ERR SHUTDOWN`), so it is not taken for the next answer;
    /// throws if the server has closed the connection.
    private func printUnsolicited() throws(ConnectionError) {
        while connection.hasPendingInput() {
            guard let line = try connection.readLine() else { throw .closed }
            show([line])
        }
    }
}
