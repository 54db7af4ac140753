import DossierProtocol

/// Shows `HELP`'s rows (`verb= usage= summary=`) as a reference rather than a
/// table: the verb and its summary on one line, the usage indented below, both
/// wrapped to the terminal width, with a blank line between verb groups. A table
/// padded to the longest usage wrapped on every row even at 180 columns.
public struct HelpRenderer: Sendable {
    public var maximumWidth: Int?

    public init(maximumWidth: Int? = nil) {
        self.maximumWidth = maximumWidth
    }

    /// Whether the rows are `HELP`'s: exactly the keys `verb`, `usage`, `summary`.
    public static func isHelp(_ rows: [Row]) -> Bool {
        !rows.isEmpty && rows.allSatisfy { $0.fields.map(\.key) == ["verb", "usage", "summary"] }
    }

    public func render(_ rows: [Row]) -> [String] {
        let verbWidth = min(rows.map { DisplayWidth.of($0["verb"] ?? "") }.max() ?? 0, 20)
        var lines: [String] = []
        var previousGroup: String?
        for row in rows {
            let verb = row["verb"] ?? ""
            let usage = row["usage"] ?? ""
            let summary = row["summary"] ?? ""
            let group = verb.split(separator: " ").first.map(String.init) ?? verb
            if let previousGroup, previousGroup != group { lines.append("") }
            previousGroup = group
            let head = DisplayWidth.pad(verb, to: verbWidth) + "  "
            let indent = String(repeating: " ", count: DisplayWidth.of(head))
            if DisplayWidth.of(head) > (maximumWidth ?? .max) / 2 {
                // Too narrow for a summary column: summary on its own lines.
                lines.append(verb)
                lines += TextWrap.wrap(summary, width: maximumWidth, first: "  ", rest: "  ")
            } else {
                lines += TextWrap.wrap(summary, width: maximumWidth, first: head, rest: indent)
            }
            if usage != verb {
                lines += TextWrap.wrap(usage, width: maximumWidth, first: "    ", rest: "        ")
            }
        }
        return lines
    }
}
