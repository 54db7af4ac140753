/// Splits the lines a server sends into responses (PROTOCOL.md, "Framing"): any
/// number of data lines, then one final line `OK …` / `ERR …`. In `FORMAT json` a
/// response is exactly one line, a JSON object.
///
/// Telling the two apart by the line itself (not by the format the client thinks
/// is active) keeps the framing right across `FORMAT json`, whose own `OK` already
/// comes as JSON.
public struct ResponseCollector: Sendable {
    private var pending: [String] = []

    public init() {}

    /// Lines received for a response not yet complete.
    public var pendingLines: [String] { pending }

    /// Adds one received line (without its newline); returns the whole response
    /// when this line completes one.
    public mutating func add(_ line: String) -> [String]? {
        pending.append(line)
        guard Self.isFinal(line) else { return nil }
        defer { pending.removeAll() }
        return pending
    }

    /// Whether `line` ends a response: `OK`, `ERR`, or a JSON response.
    public static func isFinal(_ line: String) -> Bool {
        line == "OK" || line.hasPrefix("OK ") || line == "ERR" || line.hasPrefix("ERR ") || line.hasPrefix("{")
    }

    /// Whether a response's final line reports success: `OK …`, or JSON with
    /// `"ok":true` — which `JSONResponseEncoder` always writes first.
    public static func isSuccess(_ finalLine: String) -> Bool {
        finalLine == "OK" || finalLine.hasPrefix("OK ") || finalLine.hasPrefix(#"{"ok":true"#)
    }
}
