import DossierProtocol

/// The language the console asks the server for (`LANG zh-CN|en`), from the
/// terminal's locale (`Language.fromLocale`); nil leaves the server's default.
public enum ConsoleLanguage {
    public static func fromLocale(_ environment: [String: String]) -> String? {
        Language.fromLocale(environment)?.rawValue
    }
}
