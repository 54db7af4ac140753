/// The language of a session's message texts and `HELP` summaries (`LANG`).
/// Error codes, verbs, keys and data never change with it, so scripts that read
/// codes are unaffected.
public enum Language: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case english = "en"
    case chinese = "zh-CN"

    public var description: String { rawValue }
}
