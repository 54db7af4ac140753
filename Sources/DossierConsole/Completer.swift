/// Tab completion over a `CompletionTable`: verbs, subverbs, `key=` names and
/// enum values, for the word before the cursor. Verbs match case-insensitively
/// and complete in upper case, as the protocol writes them; keys and values
/// match exactly.
public struct Completer: Hashable, Sendable {
    public var table: CompletionTable
    /// Console commands (`\x`, `\all`, …), completed at the start of a line.
    public var metaCommands: [String]

    public init(table: CompletionTable, metaCommands: [String] = []) {
        self.table = table
        self.metaCommands = metaCommands
    }

    /// The candidates for the word that ends at the end of `prefix` (the text
    /// before the cursor), and where that word starts (in characters).
    public struct Completion: Hashable, Sendable {
        public var wordStart: Int
        public var candidates: [String]

        /// The text every candidate starts with (the most Tab can insert).
        public var commonPrefix: String {
            guard var common = candidates.first else { return "" }
            for candidate in candidates.dropFirst() {
                while !candidate.hasPrefix(common) { common.removeLast() }
            }
            return common
        }
    }

    public func complete(_ prefix: String) -> Completion {
        let characters = Array(prefix)
        var wordStart = characters.count
        while wordStart > 0, characters[wordStart - 1] != " " { wordStart -= 1 }
        let word = String(characters[wordStart...])
        let before = String(characters[..<wordStart]).split(separator: " ").map(String.init)
        // A quote before the cursor: inside quoted text there is nothing to complete.
        if prefix.filter({ $0 == "\"" }).count % 2 == 1 { return Completion(wordStart: wordStart, candidates: []) }
        return Completion(wordStart: wordStart, candidates: candidates(for: word, after: before))
    }

    func candidates(for word: String, after before: [String]) -> [String] {
        let upper = word.uppercased()
        guard let first = before.first?.uppercased() else {
            let verbs = table.firstWords.filter { $0.hasPrefix(upper) }
            return verbs + metaCommands.filter { $0.hasPrefix(word) && !word.isEmpty }
        }
        let groupSubverbs = table.subverbs(of: first)
        let entry: CompletionTable.Entry?
        let arguments: [String]
        if !groupSubverbs.isEmpty {
            guard before.count >= 2 else { return groupSubverbs.filter { $0.hasPrefix(upper) } }
            entry = table.entry([first, before[1].uppercased()])
            arguments = Array(before.dropFirst(2))
        } else {
            entry = table.entry([first])
            arguments = Array(before.dropFirst())
        }
        guard let entry else { return [] }
        if let equals = word.firstIndex(of: "=") {
            let key = String(word[..<equals])
            let value = String(word[word.index(after: equals)...])
            return (entry.choices[key] ?? []).filter { $0.hasPrefix(value) }.map { key + "=" + $0 }
        }
        let usedKeys = Set(arguments.filter { $0.contains("=") }.map { String($0.prefix { $0 != "=" }) })
        let positionalIndex = arguments.filter { !$0.contains("=") }.count
        var out: [String] = []
        if positionalIndex < entry.positionals.count {
            out += entry.positionals[positionalIndex].filter { $0.hasPrefix(word) }
        }
        out += entry.keyOrder.filter { !usedKeys.contains($0) && $0.hasPrefix(word) }.map { $0 + "=" }
        return out
    }
}
