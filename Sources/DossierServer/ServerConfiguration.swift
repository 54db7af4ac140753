import DossierProtocol

/// What an operator can tune about the line-protocol server.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Requests longer than this get `ERR LIMIT line too long`.
    public var maximumLineLength: Int
    /// Further clients get `ERR LIMIT` and are closed.
    public var maximumConnections: Int
    /// A connection with no complete request for this long is closed.
    public var idleTimeout: Duration
    /// A request line begun and not finished within this is closed (slowloris).
    public var requestTimeout: Duration
    /// A connection not logged in within this after connecting is closed.
    public var loginTimeout: Duration
    /// On graceful shutdown, commands still running after this are cancelled
    /// in the database (rolled back) and answered `ERR SHUTDOWN`.
    public var shutdownDeadline: Duration
    /// The free text after `OK DOSSIER/1` in the greeting.
    public var greeting: String
    /// Seals the audit chains (`AUDIT VERIFY`, the `audit-seal` job); nil:
    /// the chains are verified without seals.
    public var auditKey: AuditKey?
    /// The data key file's keys: seal and open customers' sensitive fields
    /// (README "Personal data protection"). nil: commands that need them
    /// answer ERR UNAVAILABLE; `dossierd serve` always gives one.
    public var personalData: PersonalData?
    /// Messages and `HELP` summaries of a session that has not chosen with `LANG`.
    public var defaultLanguage: Language = .english
    /// TLS, or plain TCP with `AUTH` only from loopback unless allowed.
    public var transportSecurity: TransportSecurity = .plaintext()
    /// A second listener in plain TCP (`serve --plain-listen`), for local tools
    /// while `host`:`port` speaks TLS; `AUTH` on it follows the plain-TCP rule.
    public var plainListen: (host: String, port: Int)?

    public init(
        host: String = "127.0.0.1",
        port: Int = 7878,
        maximumLineLength: Int = ProtocolLimits.default.maximumLineLength,
        maximumConnections: Int = 1024,
        idleTimeout: Duration = .seconds(15 * 60),
        requestTimeout: Duration = .seconds(30),
        loginTimeout: Duration = .seconds(60),
        shutdownDeadline: Duration = .seconds(10),
        greeting: String = "dossierd ready"
    ) {
        self.requestTimeout = requestTimeout
        self.loginTimeout = loginTimeout
        self.shutdownDeadline = shutdownDeadline
        self.host = host
        self.port = port
        self.maximumLineLength = maximumLineLength
        self.maximumConnections = maximumConnections
        self.idleTimeout = idleTimeout
        self.greeting = greeting
    }

    /// Parses `host:port` (`[::1]:7878` for IPv6).
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }
}
