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
    /// A row's sentence (`MessageCatalog.rowSentences`): its parts are data or a
    /// person's own words and stay as they are, except `sentenceParts`.
    public let isRowSentence: Bool
    /// The parts (1-based) that are messages or sentences of their own (what
    /// stands in a request's way, inside a to-do or an error: `A7 was closed:
    /// D3 is on legal hold`), translated by any template. A message with such
    /// parts is matched before the others, so that the message it wraps never
    /// takes it whole (`{} is on legal hold` with `A7 was closed: D3` as its part).
    public let sentenceParts: Set<Int>
    /// The parts of a row's sentence that are a code with a name (`loan`,
    /// `over_limit, overdue`), named in the sentence's language; an unknown
    /// word stays as it is.
    public let termParts: [Int: SentenceTerm]

    init(_ english: String, _ chinese: String, phrase: Bool = false, wordParts: Bool = false, messageParts: Set<Int> = []) {
        self.english = english
        self.chinese = chinese
        self.isPhrase = phrase
        self.wordParts = wordParts
        self.isRowSentence = false
        self.sentenceParts = messageParts
        self.termParts = [:]
        self.literals = english.split(separator: "{}", omittingEmptySubsequences: false)
    }

    /// A row's sentence; `sentenceParts` and `termParts` as above.
    init(rowSentence english: String, _ chinese: String, sentenceParts: Set<Int> = [], termParts: [Int: SentenceTerm] = [:]) {
        self.english = english
        self.chinese = chinese
        self.isPhrase = false
        self.wordParts = false
        self.isRowSentence = true
        self.sentenceParts = sentenceParts
        self.termParts = termParts
        self.literals = english.split(separator: "{}", omittingEmptySubsequences: false)
    }

    /// The English split at its `{}`s, once: every translation matches it
    /// against the templates in turn (a Chinese TODO of 1,000 rows, thousands of times).
    let literals: [Substring]

    /// The interpolated parts if `message` is this template's English, else nil.
    func match(_ message: String) -> [String]? {
        let literals = self.literals
        // Both ends first: most templates are ruled out without a search.
        guard message.hasPrefix(literals[0]), message.hasSuffix(literals[literals.count - 1]) else { return nil }
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
    private static let ordered: [MessageTemplate] = mostSpecificFirst(all)
    /// What rows' sentences are matched against: their own templates first (the
    /// outer sentence), then the messages' for what they embed (`… (cannot be
    /// done now: D7 is deleted)`) or are (an `obstacle`).
    /// Kept apart from `ordered`, so that a sentence's short template (`{} {} by
    /// {}`) never takes an error message.
    private static let orderedForSentences: [MessageTemplate] = mostSpecificFirst(rowSentences) + ordered

    private static func mostSpecificFirst(_ templates: [MessageTemplate]) -> [MessageTemplate] {
        templates.sorted {
            if $0.isPhrase != $1.isPhrase { return !$0.isPhrase }
            if $0.sentenceParts.isEmpty != $1.sentenceParts.isEmpty { return !$0.sentenceParts.isEmpty }
            return $0.literals.map(\.count).reduce(0, +) > $1.literals.map(\.count).reduce(0, +)
        }
    }

    /// `message` in `language`; unchanged in English or when no template matches.
    public static func translate(_ message: String, to language: Language) -> String {
        guard language == .chinese else { return message }
        return chinese(message, phrasesOnly: false, in: ordered) ?? message
    }

    /// A row's sentence (`Response.sentenceKeys`) in `language`; unchanged in
    /// English or when no template matches.
    public static func translateSentence(_ sentence: String, to language: Language) -> String {
        guard language == .chinese else { return sentence }
        return chinese(sentence, phrasesOnly: false, in: orderedForSentences) ?? sentence
    }

    /// Whether some template matches `message` (for the completeness test).
    public static func hasTranslation(_ message: String) -> Bool {
        chinese(message, phrasesOnly: false, in: ordered) != nil
    }

    private static func chinese(_ message: String, phrasesOnly: Bool, in templates: [MessageTemplate]) -> String? {
        for template in templates where !phrasesOnly || template.isPhrase {
            guard let parts = template.match(message) else { continue }
            // A part may itself be a phrase (`may delete`, `expected a date …`);
            // a row's sentence translates only the parts it names as sentences.
            let translated = parts.enumerated().map { index, part in
                if template.sentenceParts.contains(index + 1) { return chinese(part, phrasesOnly: false, in: templates) ?? part }
                if let term = template.termParts[index + 1] { return term.chinese(part) }
                if template.isRowSentence { return part }
                return chinese(part, phrasesOnly: true, in: templates) ?? part
            }
            return template.chinese(with: translated)
        }
        return nil
    }
}

extension Response {
    /// The response with its error message and its rows' sentences
    /// (`sentenceKeys`) in `language`; the rest of the rows and `OK` texts are
    /// data and stay as they are.
    public func localized(to language: Language) -> Response {
        guard language != .english else { return self }
        var out = self
        if case .error(var error) = final {
            error.message = MessageCatalog.translate(error.message, to: language)
            out.final = .error(error)
        }
        if !sentenceKeys.isEmpty {
            for row in out.rows.indices {
                for field in out.rows[row].fields.indices where sentenceKeys.contains(out.rows[row].fields[field].key) {
                    out.rows[row].fields[field].value = MessageCatalog.translateSentence(out.rows[row].fields[field].value, to: language)
                }
            }
        }
        return out
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
