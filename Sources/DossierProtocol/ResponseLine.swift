/// One line of a server response, read back (for the `dossier` client and tests).
public enum ResponseLine: Hashable, Sendable {
    /// `* key=value …`
    case row(Row)
    /// `OK [text]` (also the greeting, `OK DOSSIER/1 …`).
    case ok(String)
    /// `ERR <code> <message>`; `code` is nil for a code this client does not know.
    case error(code: ErrorCode?, codeText: String, message: String)

    /// Parses one line of text-format output (without its newline).
    public static func parse(_ line: String) throws(ProtocolError) -> ResponseLine {
        if line == "OK" { return .ok("") }
        if line.hasPrefix("OK ") { return .ok(String(line.dropFirst(3))) }
        if line.hasPrefix("ERR ") {
            let rest = line.dropFirst(4)
            let codeText = String(rest.prefix { $0 != " " })
            let message = String(rest.dropFirst(codeText.count).drop { $0 == " " })
            return .error(code: ErrorCode(rawValue: codeText), codeText: codeText, message: message)
        }
        if line == "*" { return .row(Row()) }
        guard line.hasPrefix("* ") else { throw .syntax("not a response line") }
        var row = Row()
        for token in try Tokenizer.tokenize(String(line.dropFirst(2))) {
            switch token {
            case .keyValue(let key, let value): row.append(key, value)
            case .positional: throw .syntax("data field without a key")
            }
        }
        return .row(row)
    }
}
