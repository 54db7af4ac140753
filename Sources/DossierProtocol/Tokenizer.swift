/// Splits one request line into tokens (PROTOCOL.md, "Tokens").
///
/// Rules, including the choices the contract leaves open (see PROTOCOL-NOTES.md):
/// - Separators are space and tab; runs of them count as one.
/// - A token starting with `"` is a quoted positional, even if it contains `=`.
/// - An unquoted token containing `=` whose part before the first `=` is a valid key
///   is `key=value`; the value may be quoted (`title="a b"`) or bare, and may itself
///   contain `=`. If the part before `=` is not a valid key (`Title=x`, `=x`, `a-b=c`)
///   the whole token is a positional, so e.g. base64 passwords still work unquoted.
/// - A quote anywhere else inside an unquoted token, or text glued to a closing
///   quote (`"a"b`), is `SYNTAX`.
/// - Inside quotes: `\"` `\\` `\n` `\t`, plus `\r` and `\u{H…}` (1–6 hex digits, as
///   the encoder writes other control characters); any other escape is `SYNTAX`.
///   Outside quotes a backslash is an ordinary character.
/// - Raw control characters (other than tab between tokens) are `SYNTAX` anywhere;
///   NUL is refused even as `\u{0}`, because PostgreSQL text cannot hold it.
/// - What a Chinese input method types instead of ASCII works the same (issue 11):
///   `“…”` (U+201C … U+201D) quotes like `"…"` (closed only by `”`, so a `"`
///   inside is literal, and `“”` inside `"…"` stay literal), and a full-width `＝`
///   (U+FF1D) right after a key is the key's `=`; anywhere else `＝` is text.
public enum Tokenizer {
    /// The opening and closing quote of an input method's quoted text.
    static let imeOpen: Unicode.Scalar = "\u{201C}"
    static let imeClose: Unicode.Scalar = "\u{201D}"
    /// A full-width equals sign.
    static let fullWidthEquals: Unicode.Scalar = "\u{FF1D}"


    public static func tokenize(_ line: String) throws(ProtocolError) -> [Token] {
        var scanner = Scanner(line.unicodeScalars)
        var tokens: [Token] = []
        while true {
            scanner.skipSeparators()
            guard let first = scanner.peek() else { return tokens }
            if first == "\"" || first == imeOpen {
                scanner.advance()
                let value = try scanner.quotedRest(closingWith: first == imeOpen ? imeClose : "\"")
                try scanner.expectTokenEnd()
                tokens.append(.positional(value))
                continue
            }
            var word = String.UnicodeScalarView()
            var token: Token?
            while let scalar = scanner.peek(), !Scanner.isSeparator(scalar) {
                if scalar == "\"" || scalar == imeOpen {
                    // Only `key="…"` may open a quote mid-token.
                    let text = String(word)
                    guard text.last == "=", let equals = text.firstIndex(of: "="),
                          text.index(after: equals) == text.endIndex, Key.isValid(text[..<equals])
                    else { throw .syntax("unexpected quote inside an argument") }
                    scanner.advance()
                    let value = try scanner.quotedRest(closingWith: scalar == imeOpen ? imeClose : "\"")
                    try scanner.expectTokenEnd()
                    token = .keyValue(key: String(text[..<equals]), value: value)
                    break
                }
                try Scanner.checkNotControl(scalar)
                // `title＝…`: the full-width sign is the key's `=` when what came
                // before is a key and no `=` came yet.
                if scalar == fullWidthEquals, !word.contains("="), Key.isValid(String(word)) {
                    word.append("=")
                } else {
                    word.append(scalar)
                }
                scanner.advance()
            }
            tokens.append(token ?? classify(String(word)))
        }
    }

    /// An unquoted word: `key=value` when the part before the first `=` is a key.
    static func classify(_ word: String) -> Token {
        if let equals = word.firstIndex(of: "="), Key.isValid(word[..<equals]) {
            return .keyValue(key: String(word[..<equals]), value: String(word[word.index(after: equals)...]))
        }
        return .positional(word)
    }
}

/// A cursor over the scalars of one line.
private struct Scanner {
    let scalars: [Unicode.Scalar]
    var index = 0

    init(_ view: String.UnicodeScalarView) { scalars = Array(view) }

    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    static func checkNotControl(_ scalar: Unicode.Scalar) throws(ProtocolError) {
        if isControl(scalar) {
            throw scalar.value == 0 ? .syntax("NUL byte in request") : .syntax("control character in request")
        }
    }

    func peek() -> Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }
    mutating func advance() { index += 1 }

    mutating func skipSeparators() {
        while let scalar = peek(), Scanner.isSeparator(scalar) { advance() }
    }

    /// After a closing quote: a separator or the end of the line.
    func expectTokenEnd() throws(ProtocolError) {
        if let next = peek(), !Scanner.isSeparator(next) {
            throw .syntax("expected a space after a closing quote")
        }
    }

    /// Reads up to and including the closing quote (`"`, or `”` after `“`); the
    /// opening one is consumed.
    mutating func quotedRest(closingWith closing: Unicode.Scalar = "\"") throws(ProtocolError) -> String {
        var value = String.UnicodeScalarView()
        while let scalar = peek() {
            advance()
            switch scalar {
            case closing:
                return String(value)
            case "\\":
                value.append(try escape())
            default:
                try Scanner.checkNotControl(scalar)
                value.append(scalar)
            }
        }
        throw .syntax("unterminated quote")
    }

    private mutating func escape() throws(ProtocolError) -> Unicode.Scalar {
        guard let next = peek() else { throw .syntax("unterminated quote") }
        advance()
        switch next {
        case "\"": return "\""
        case "\\": return "\\"
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        case "u":
            guard peek() == "{" else { throw .syntax("invalid \\u escape: expected \\u{hex}") }
            advance()
            var digits = ""
            while let scalar = peek(), scalar != "}" {
                guard digits.unicodeScalars.count < 6, scalar.properties.isASCIIHexDigit else {
                    throw .syntax("invalid \\u escape: expected \\u{hex}")
                }
                digits.unicodeScalars.append(scalar)
                advance()
            }
            guard peek() == "}", !digits.isEmpty, let value = UInt32(digits, radix: 16),
                  let scalar = Unicode.Scalar(value)
            else { throw .syntax("invalid \\u escape: expected \\u{hex}") }
            advance()
            guard value != 0 else { throw .syntax("NUL byte in request") }
            return scalar
        default:
            throw .syntax("unknown escape in quoted text")
        }
    }
}
