/// Everything the protocol knows about one verb: its words, arguments, who may use it
/// and how to describe it. `CommandTable` holds one per `Verb`; the parser, `HELP`
/// and usage strings all read from it, so they cannot drift apart.
public struct CommandSpec: Hashable, Sendable {
    public let verb: Verb
    /// `["DOSSIER", "NEW"]`, or one word for single-word verbs.
    public let words: [String]
    public let summary: String
    public let access: Access
    public let positionals: [PositionalSpec]
    public let keys: [KeySpec]
    public let exclusive: [ExclusiveKeys]
    /// Non-empty for verbs taking `<field>=<value>…` changes.
    public let changeFields: [ChangeFieldSpec]

    init(
        _ verb: Verb, _ words: String, _ summary: String, access: Access,
        positionals: [PositionalSpec] = [], keys: [KeySpec] = [],
        exclusive: [ExclusiveKeys] = [], changeFields: [ChangeFieldSpec] = []
    ) {
        self.verb = verb
        self.words = words.split(separator: " ").map(String.init)
        self.summary = summary
        self.access = access
        self.positionals = positionals
        self.keys = keys
        self.exclusive = exclusive
        self.changeFields = changeFields
    }

    /// `DOSSIER NEW`.
    public var name: String { words.joined(separator: " ") }

    /// Whether the verb's work can last minutes (`CommandTable.longRunning`):
    /// it does not take one of the daemon's command slots.
    public var runsLong: Bool { CommandTable.longRunning.contains(verb) }

    public func key(_ name: String) -> KeySpec? { keys.first { $0.key == name } }
    public func changeField(_ name: String) -> ChangeFieldSpec? { changeFields.first { $0.field == name } }

    /// The usage line, generated from the arguments, e.g.
    /// `DOSSIER NEW customer=C-YYYY-NNNNN category=HT|BJ|… title=<text> [level=…]`.
    public var usage: String {
        var parts = [name]
        var optionalDepth = 0
        for positional in positionals {
            if positional.isOptional {
                parts.append("[" + positional.placeholder)
                optionalDepth += 1
            } else {
                parts.append(positional.placeholder)
            }
        }
        if optionalDepth > 0 { parts[parts.count - 1] += String(repeating: "]", count: optionalDepth) }
        if !changeFields.isEmpty { parts.append("<field>=<value>…") }
        var rendered: Set<String> = []
        for key in keys where !rendered.contains(key.key) {
            if let group = exclusive.first(where: { $0.keys.contains(key.key) }) {
                let alternatives = group.keys.compactMap { self.key($0) }.map { "\($0.key)=\($0.kind.placeholder)" }
                let text = alternatives.joined(separator: "|")
                parts.append(group.isRequired ? text : "[\(text)]")
                rendered.formUnion(group.keys)
            } else {
                let text = "\(key.key)=\(key.kind.placeholder)"
                parts.append(key.isRequired ? text : "[\(text)]")
                rendered.insert(key.key)
            }
        }
        return parts.joined(separator: " ")
    }

    /// The summary, plus the changeable fields for `CUSTOMER SET` / `DOSSIER EDIT`.
    public var helpSummary: String {
        guard !changeFields.isEmpty else { return summary }
        return summary + " Fields: " + changeFields.map(\.field).joined(separator: ", ") + "."
    }
}
