/// The answer to one request: data lines, then exactly one final line.
public struct Response: Hashable, Sendable {
    /// The final line of a response.
    public enum Final: Hashable, Sendable {
        /// `OK [text]`; the text may be empty.
        case ok(String)
        /// `ERR <code> <message>`.
        case error(ProtocolError)
    }

    public var rows: [Row]
    public var final: Final
    /// Row fields whose values are sentences the server wrote for a person (a
    /// to-do's `detail`, what stands in a request's way), not data: like an
    /// error message they follow the session's `LANG` (`localized(to:)`).
    public var sentenceKeys: Set<String>

    public init(rows: [Row] = [], final: Final, sentenceKeys: Set<String> = []) {
        self.rows = rows
        self.final = final
        self.sentenceKeys = sentenceKeys
    }

    /// The same response with the fields `keys` of its rows marked as sentences.
    public func sentences(_ keys: Set<String>) -> Response {
        var marked = self
        marked.sentenceKeys = keys
        return marked
    }

    /// `OK` or `OK <text>`.
    public static func ok(_ text: String = "") -> Response { Response(final: .ok(text)) }

    /// The answer to PING.
    public static let pong = Response.ok("PONG")

    /// Rows and `OK <count>` (plus ` <suffix>`, e.g. `next=<cursor>`, when given).
    public static func rows(_ rows: [Row], suffix: String = "") -> Response {
        Response(rows: rows, final: .ok(suffix.isEmpty ? "\(rows.count)" : "\(rows.count) \(suffix)"))
    }

    public static func error(_ error: ProtocolError) -> Response { Response(final: .error(error)) }

    public static func error(_ code: ErrorCode, _ message: String) -> Response { .error(ProtocolError(code, message)) }

    public var isOK: Bool {
        switch final {
        case .ok: true
        case .error: false
        }
    }
}
