/// Who the console is logged in as, read from `AUTH`'s or `WHOAMI`'s answer
/// (`OK li.na role=rep dept=SH`), and the prompt that shows it.
public struct SessionIdentity: Hashable, Sendable {
    public var login: String
    public var role: String?
    public var department: String?

    public init(login: String, role: String? = nil, department: String? = nil) {
        self.login = login
        self.role = role
        self.department = department
    }

    /// Parses `OK <login> role=<role> dept=<dept>`; nil for any other line.
    public init?(okLine line: String) {
        let words = line.split(separator: " ").map(String.init)
        guard words.count >= 2, words[0] == "OK", !words[1].contains("=") else { return nil }
        let role = words.first { $0.hasPrefix("role=") }.map { String($0.dropFirst(5)) }
        let dept = words.first { $0.hasPrefix("dept=") }.map { String($0.dropFirst(5)) }
        guard role != nil || dept != nil else { return nil }
        self.init(login: words[1], role: role, department: dept)
    }
}

/// The interactive prompt: `li.na@SH> ` once logged in, `dossier> ` before; the
/// server is added when it is not the local default (`li.na@SH db1:7878> `), so
/// a clerk with two consoles open sees which is which.
public enum PromptText {
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 7878

    public static func make(identity: SessionIdentity?, host: String, port: Int) -> String {
        var prompt = identity.map { identity in
            identity.login + (identity.department.map { "@" + $0 } ?? "")
        } ?? "dossier"
        if !isLocal(host: host, port: port) { prompt += " \(host):\(port)" }
        return prompt + "> "
    }

    static func isLocal(host: String, port: Int) -> Bool {
        ["127.0.0.1", "localhost", "::1"].contains(host) && port == defaultPort
    }
}
