/// The language of a session's message texts and `HELP` summaries (`LANG`).
/// Error codes, verbs, keys and data never change with it, so scripts that read
/// codes are unaffected.
public enum Language: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case english = "en"
    case chinese = "zh-CN"

    public var description: String { rawValue }

    /// The language a terminal's locale asks for, as the C library reads it:
    /// `LC_ALL`, then `LC_MESSAGES`, then `LANG`. A `zh…` locale is Chinese, an
    /// `en…` one English; `C`, `POSIX` or nothing is nil (the caller's default).
    public static func fromLocale(_ environment: [String: String]) -> Language? {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment[name], !value.isEmpty else { continue }
            let lower = value.lowercased()
            if lower.hasPrefix("zh") { return .chinese }
            if lower.hasPrefix("en") { return .english }
            return nil
        }
        return nil
    }
}
