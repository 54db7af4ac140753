import DossierProtocol

/// What tab completion knows about the verbs: read from the server's own `HELP`
/// rows once per session (`verb=`, `usage=`, `summary=`), so it never drifts from
/// the command table the server parses with.
///
/// Usage strings are generated from the table in a fixed shape — `key=<kind>` or
/// `key=a|b|c`, optional parts in brackets, positional choices as `a|b`, exclusive
/// keys as `days=<n>|hours=<n>` — and the changeable fields of `CUSTOMER SET` /
/// `DOSSIER EDIT` close the summary as `Fields: a, b.`.
public struct CompletionTable: Hashable, Sendable {
    /// One verb's completable parts.
    public struct Entry: Hashable, Sendable {
        /// `["DOSSIER", "NEW"]`.
        public var words: [String]
        /// Keys in usage order, each with its enum values (empty for free values).
        public var keys: [(String, [String])] {
            keyOrder.map { ($0, choices[$0] ?? []) }
        }
        public var keyOrder: [String] = []
        public var choices: [String: [String]] = [:]
        /// The choices of each positional argument after the verb (empty for free ones).
        public var positionals: [[String]] = []

        public init(words: [String]) { self.words = words }

        mutating func addKey(_ key: String, _ values: [String]) {
            if choices[key] == nil { keyOrder.append(key) }
            choices[key, default: []] += values
        }
    }

    public private(set) var entries: [Entry] = []

    public init(entries: [Entry] = []) { self.entries = entries }

    /// Reads `HELP`'s rows.
    public init(helpRows rows: [Row]) {
        for row in rows {
            guard let verb = row["verb"], let usage = row["usage"] else { continue }
            var entry = Entry(words: verb.split(separator: " ").map(String.init))
            for part in usage.split(separator: " ").dropFirst(entry.words.count) {
                let token = part.filter { $0 != "[" && $0 != "]" }
                if token.contains("=") {
                    guard !token.hasPrefix("<") else { continue } // `<field>=<value>…`
                    var key: String?
                    for alternative in token.split(separator: "|") {
                        if let equals = alternative.firstIndex(of: "=") {
                            key = String(alternative[..<equals])
                            let value = String(alternative[alternative.index(after: equals)...])
                            entry.addKey(key!, Self.isChoice(value) ? [value] : [])
                        } else if let key, Self.isChoice(String(alternative)) {
                            entry.addKey(key, [String(alternative)])
                        }
                    }
                } else {
                    let alternatives = token.split(separator: "|").map(String.init)
                    entry.positionals.append(alternatives.count > 1 ? alternatives.filter(Self.isChoice) : [])
                }
            }
            if let summary = row["summary"],
               let range = summary.firstRange(of: "Fields: ") ?? summary.firstRange(of: "可改字段：") {
                let list = summary[range.upperBound...].prefix { $0 != "." && $0 != "。" }
                for field in list.split(separator: ",") {
                    let name = field.trimmingSpaces
                    if !name.isEmpty { entry.addKey(name, []) }
                }
            }
            entries.append(entry)
        }
    }

    /// A value spelled out literally rather than a placeholder (`<text>`,
    /// `YYYY-MM-DD`, `C-YYYY-NNNNN`, `L<n>`).
    static func isChoice(_ value: String) -> Bool {
        !value.isEmpty && !value.contains("<") && !value.contains("YYYY") && !value.contains("…")
    }

    /// First words (single verbs and groups), each once, in table order.
    public var firstWords: [String] {
        var seen = Set<String>()
        return entries.map { $0.words[0] }.filter { seen.insert($0).inserted }
    }

    public func subverbs(of group: String) -> [String] {
        entries.filter { $0.words.count == 2 && $0.words[0] == group }.map { $0.words[1] }
    }

    public func entry(_ words: [String]) -> Entry? { entries.first { $0.words == words } }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
