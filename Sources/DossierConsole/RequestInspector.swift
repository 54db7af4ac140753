import DossierProtocol

/// What the client needs to know about a request line before sending it. The
/// server stays the judge of validity; these are hints for the console only.
public enum RequestInspector {
    /// Whether the line is blank (spaces and tabs only): the server sends no
    /// response to it, so the client must not send it and wait.
    public static func isBlank(_ line: String) -> Bool {
        line.unicodeScalars.allSatisfy { $0 == " " || $0 == "\t" }
    }

    /// The format a successful `FORMAT text|json` switches to; nil for other lines.
    public static func requestedFormat(_ line: String) -> OutputFormat? {
        guard case .format(let format)? = try? CommandParser.parse(line) else { return nil }
        return format
    }

    /// Whether the line is `QUIT`, after which the server closes the connection.
    public static func isQuit(_ line: String) -> Bool {
        guard let request = try? RequestLine.parse(line) else { return false }
        return request.verbWord == "QUIT" && request.tokens.count == 1
    }

    /// Whether the line may hold a password, so it must not be kept in history:
    /// `AUTH`, `USER PASSWD`, `USER ADD … password=`, any `password=`. A line that does
    /// not tokenize is judged on its words, erring on the side of not keeping it
    /// (a mistyped `AUTH` line still holds the password).
    public static func mayHoldSecret(_ line: String) -> Bool {
        let words: [String]
        if let tokens = try? Tokenizer.tokenize(line) {
            words = tokens.map { token in
                switch token {
                case .positional(let text): text
                case .keyValue(let key, _): key + "="
                }
            }
        } else {
            words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        let upper = words.map { $0.uppercased() }
        if upper.first == "AUTH" { return true }
        if upper.count >= 2, upper[0] == "USER", upper[1] == "PASSWD" || upper[1] == "ADD" { return true }
        return upper.contains { $0.hasPrefix("PASSWORD=") || $0.hasPrefix("NEW_PASSWORD=") }
    }
}
