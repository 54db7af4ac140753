/// One message text and its translation. `english` is the text as the server
/// builds it, with `{}` for each interpolated part (a reference, a role, a
/// count); `chinese` names those parts `{1}`, `{2}`, … in the order they appear
/// in the English, so a translation may reorder them.
public struct MessageTemplate: Hashable, Sendable {
    public let english: String
    public let chinese: String
    /// A fragment that only appears inside other messages (what a verb may not do,
    /// why a value was refused); parts of a message are translated only by these.
    public let isPhrase: Bool
    /// Every interpolated part is one word (a reference, a status): a template
    /// with little text of its own (`{} is {}`) must not match a longer message
    /// around it and leave its English in the Chinese.
    public let wordParts: Bool

    init(_ english: String, _ chinese: String, phrase: Bool = false, wordParts: Bool = false) {
        self.english = english
        self.chinese = chinese
        self.isPhrase = phrase
        self.wordParts = wordParts
    }

    /// The English split at its `{}`s.
    var literals: [Substring] { english.split(separator: "{}", omittingEmptySubsequences: false) }

    /// The interpolated parts if `message` is this template's English, else nil.
    func match(_ message: String) -> [String]? {
        let literals = self.literals
        guard message.hasPrefix(literals[0]) else { return nil }
        if literals.count == 1 { return message == english ? [] : nil }
        var rest = message.dropFirst(literals[0].count)
        var parts: [String] = []
        for (index, literal) in literals.enumerated().dropFirst() {
            let isLast = index == literals.count - 1
            if isLast {
                guard rest.hasSuffix(literal), rest.count > literal.count else { return nil }
                parts.append(String(rest.dropLast(literal.count)))
            } else {
                // The shortest part that is followed by the next literal.
                guard let range = rest.dropFirst().firstRange(of: literal) else { return nil }
                parts.append(String(rest[..<range.lowerBound]))
                rest = rest[range.upperBound...]
            }
        }
        if wordParts, parts.contains(where: { $0.contains(" ") }) { return nil }
        return parts
    }

    /// The Chinese with `{n}` replaced by `parts[n - 1]`.
    func chinese(with parts: [String]) -> String {
        var out = chinese
        for (index, part) in parts.enumerated() {
            out = out.replacingAll("{\(index + 1)}", with: part)
        }
        return out
    }
}

/// Message texts in the session's language (`LANG`). The server builds its
/// messages in English; `translate` finds the template a message was built from
/// and fills the Chinese one with the same parts. Codes, verbs, keys and data are
/// never translated, so `ERR <CODE>` reads the same in every language.
///
/// The templates live next to the command table, a file per area
/// (`Messages+…Chinese.swift`); a test checks that every message the sources
/// build has one.
public enum MessageCatalog {
    public static let all: [MessageTemplate] =
        sessionMessages + argumentMessages + directoryMessages + customerMessages + dossierMessages
        + loanMessages + retentionMessages + penaltyMessages + auditMessages + internalMessages

    /// Whole messages before phrases (a phrase only fills a part), each group most
    /// specific (longest literal text) first.
    private static let ordered: [MessageTemplate] = all.sorted {
        if $0.isPhrase != $1.isPhrase { return !$0.isPhrase }
        return $0.literals.map(\.count).reduce(0, +) > $1.literals.map(\.count).reduce(0, +)
    }

    /// `message` in `language`; unchanged in English or when no template matches.
    public static func translate(_ message: String, to language: Language) -> String {
        guard language == .chinese else { return message }
        return chinese(message, phrasesOnly: false) ?? message
    }

    /// Whether some template matches `message` (for the completeness test).
    public static func hasTranslation(_ message: String) -> Bool {
        chinese(message, phrasesOnly: false) != nil
    }

    private static func chinese(_ message: String, phrasesOnly: Bool) -> String? {
        for template in ordered where !phrasesOnly || template.isPhrase {
            guard let parts = template.match(message) else { continue }
            // A part may itself be a phrase (`may delete`, `expected a date …`).
            let translated = parts.map { chinese($0, phrasesOnly: true) ?? $0 }
            return template.chinese(with: translated)
        }
        return nil
    }
}

extension Response {
    /// The response with its error message in `language`; rows and `OK` texts are
    /// data and stay as they are.
    public func localized(to language: Language) -> Response {
        guard language != .english, case .error(var error) = final else { return self }
        error.message = MessageCatalog.translate(error.message, to: language)
        return Response(rows: rows, final: .error(error))
    }
}

extension String {
    /// Every occurrence of `target` replaced (without Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
