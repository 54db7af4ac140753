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

    /// A request whose password the console should ask for without echo: `AUTH
    /// <login>` (password left out) or `USER PASSWD <login>` (new password left out).
    public enum SecretRequest: Hashable, Sendable {
        case auth(login: String)
        case passwd(login: String)

        /// The line to send once the password is known.
        public func line(password: String) -> String {
            switch self {
            case .auth(let login): "AUTH \(TextResponseEncoder.quote(login)) \(TextResponseEncoder.quote(password))"
            case .passwd(let login): "USER PASSWD \(TextResponseEncoder.quote(login)) \(TextResponseEncoder.quote(password))"
            }
        }

        public var prompt: String {
            switch self {
            case .auth(let login): "Password for \(login): "
            case .passwd(let login): "New password for \(login): "
            }
        }
    }

    /// Whether `line` is a request that left its password out for the console to ask.
    public static func secretRequest(_ line: String) -> SecretRequest? {
        guard let request = try? RequestLine.parse(line), let verb = request.verbWord else { return nil }
        let words = request.tokens.compactMap { token -> String? in
            if case .positional(let text) = token { return text }
            return nil
        }
        guard words.count == request.tokens.count else { return nil }
        if verb == "AUTH" && words.count == 2 { return .auth(login: words[1]) }
        if verb == "USER" && words.count == 3 && words[1].uppercased() == "PASSWD" { return .passwd(login: words[2]) }
        return nil
    }

    /// The line as shown while it is typed: the password of `AUTH <login> <password>`
    /// (and of `USER PASSWD <login> <new>`) as asterisks, one per character and of its width, so the
    /// cursor stays where it is and nobody reads it over a shoulder.
    public static func masked(_ line: String) -> String {
        var out = ""
        var wordIndex = -1
        var inWord = false
        var words: [String] = []
        var current = ""
        for character in line {
            if character == " " || character == "\t" {
                if inWord { words.append(current); current = "" }
                inWord = false
            } else {
                if !inWord { wordIndex += 1 }
                inWord = true
                current.append(character)
            }
            let first = (words.first ?? (wordIndex == 0 ? current : "")).uppercased()
            let second = words.count > 1 ? words[1].uppercased() : (wordIndex == 1 ? current.uppercased() : "")
            let secretFrom = first == "AUTH" ? 2 : (first == "USER" && second == "PASSWD" ? 3 : Int.max)
            if inWord && wordIndex >= secretFrom {
                // One character for one, of the same width, so the cursor's place holds.
                out += DisplayWidth.of(character) == 2 ? "＊" : "*"
            } else {
                out.append(character)
            }
        }
        return out
    }
}
