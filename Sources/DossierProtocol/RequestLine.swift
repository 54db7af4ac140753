/// A tokenized request: the verb word and what follows it.
///
/// This is the first parsing stage; `CommandParser` resolves the verb (and subverb)
/// against `CommandTable` and binds the arguments.
public struct RequestLine: Hashable, Sendable {
    /// Every token of the line, verb included.
    public let tokens: [Token]

    /// Tokenizes `line`; nil when it holds only separators (a blank line gets no response).
    public static func parse(_ line: String) throws(ProtocolError) -> RequestLine? {
        let tokens = try Tokenizer.tokenize(line)
        return tokens.isEmpty ? nil : RequestLine(tokens: tokens)
    }

    public init(tokens: [Token]) { self.tokens = tokens }

    /// The first token upper-cased if it can be a verb word (verbs are case-insensitive).
    public var verbWord: String? { Self.word(tokens.first) }

    static func word(_ token: Token?) -> String? {
        guard case .positional(let text)? = token, !text.isEmpty else { return nil }
        return text.uppercased()
    }
}
