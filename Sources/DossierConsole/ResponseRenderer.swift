import DossierProtocol

/// Turns the lines of one text-format response into what the console prints: the
/// data lines as one aligned table (`TableRenderer`), then the final line as is.
///
/// A line that does not parse as a response line (a server this client does not
/// know, a JSON line) is printed as received, ending any table before it, so
/// nothing the server says is ever hidden.
public struct ResponseRenderer: Sendable {
    public var table: TableRenderer

    public init(table: TableRenderer = TableRenderer()) {
        self.table = table
    }

    /// The lines to print, without newlines.
    public func render(_ lines: [String]) -> [String] {
        var out: [String] = []
        var rows: [Row] = []
        func flushRows() {
            out += table.render(rows)
            rows.removeAll()
        }
        for line in lines {
            if case .row(let row)? = try? ResponseLine.parse(line) {
                rows.append(row)
            } else {
                flushRows()
                out.append(line)
            }
        }
        flushRows()
        return out
    }
}
