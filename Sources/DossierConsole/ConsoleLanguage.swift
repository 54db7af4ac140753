/// The language the console asks the server for (`LANG zh-CN|en`), from the
/// terminal's locale as the C library reads it: `LC_ALL`, then `LC_MESSAGES`,
/// then `LANG`. A `zh…` locale asks for Chinese, an `en…` one for English; `C`,
/// `POSIX` or nothing leaves the server's default.
public enum ConsoleLanguage {
    public static func fromLocale(_ environment: [String: String]) -> String? {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment[name], !value.isEmpty else { continue }
            let lower = value.lowercased()
            if lower.hasPrefix("zh") { return "zh-CN" }
            if lower.hasPrefix("en") { return "en" }
            return nil
        }
        return nil
    }
}
