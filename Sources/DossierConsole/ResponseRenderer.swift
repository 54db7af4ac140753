import DossierProtocol

/// Turns the lines of one response into what the console prints: the data lines
/// as one aligned table (`TableRenderer`), `HELP`'s rows as a reference
/// (`HelpRenderer`), or CSV; then the final line as is.
///
/// A line that does not parse as a response line (a server this client does not
/// know, a JSON line) is printed as received, ending any table before it, so
/// nothing the server says is ever hidden.
public struct ResponseRenderer: Sendable {
    public var table: TableRenderer
    public var style: OutputStyle

    public init(table: TableRenderer = TableRenderer(), style: OutputStyle = .table) {
        self.table = table
        self.style = style
    }

    /// What to print for one response: `body` goes to standard output, `final`
    /// (when not nil) to standard output if the response succeeded and to standard
    /// error if it failed, as psql does with errors.
    public struct Output: Hashable, Sendable {
        public var body: [String]
        public var final: String?
        public var succeeded: Bool
    }

    /// All lines to print, the final one last (for tests and single-stream output).
    public func render(_ lines: [String]) -> [String] {
        let output = split(lines)
        return output.body + (output.final.map { [$0] } ?? [])
    }

    public func split(_ lines: [String]) -> Output {
        guard let last = lines.last else { return Output(body: [], final: nil, succeeded: false) }
        let succeeded = ResponseCollector.isFinal(last) ? ResponseCollector.isSuccess(last) : false
        let data = ResponseCollector.isFinal(last) ? Array(lines.dropLast()) : lines
        let final: String? = ResponseCollector.isFinal(last) ? last : nil
        switch style {
        case .raw, .json:
            return Output(body: data, final: final, succeeded: succeeded)
        case .table, .csv:
            var body: [String] = []
            var rows: [Row] = []
            var sawRows = false
            func flushRows() {
                guard !rows.isEmpty else { return }
                sawRows = true
                if style == .csv {
                    body += CSVRenderer.render(rows)
                } else if HelpRenderer.isHelp(rows) {
                    body += HelpRenderer(maximumWidth: table.maximumWidth).render(rows)
                } else {
                    body += table.render(rows)
                }
                rows.removeAll()
            }
            for line in data {
                if case .row(let row)? = try? ResponseLine.parse(line) {
                    rows.append(row)
                } else {
                    flushRows()
                    body.append(line)
                }
            }
            flushRows()
            // CSV is for machines: a listing's `OK <n>` would break the file.
            if style == .csv && sawRows && succeeded { return Output(body: body, final: nil, succeeded: true) }
            return Output(body: body, final: final, succeeded: succeeded)
        }
    }
}

/// How the console prints responses.
public enum OutputStyle: String, Hashable, Sendable {
    /// Aligned tables (the default at a terminal and in scripts).
    case table
    /// Lines exactly as received (`--raw`).
    case raw
    /// Data lines as CSV (`--csv`).
    case csv
    /// The server's JSON responses, one line each (`--json`, or `FORMAT json`).
    case json
}
