/// `HELP` output, generated from `CommandTable` so usage never drifts from the parser.
public enum Help {
    /// The specs a topic covers, in table order.
    public static func specs(for topic: HelpTopic) -> [CommandSpec] {
        switch topic {
        case .all: CommandTable.all
        case .group(let word): CommandTable.specs(startingWith: word)
        case .verb(let verb): [verb.spec]
        }
    }

    /// Rows `verb= usage= summary=` and `OK <n>`; summaries in `language`, verbs
    /// and usage always as the parser reads them.
    public static func response(for topic: HelpTopic, language: Language = .english) -> Response {
        .rows(specs(for: topic).map { spec in
            ["verb": spec.name, "usage": spec.usage, "summary": spec.helpSummary(in: language)]
        })
    }
}
