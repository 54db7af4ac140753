import DossierProtocol

/// What an operator can tune about the line-protocol server.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Requests longer than this get `ERR LIMIT line too long`.
    public var maximumLineLength: Int
    /// Further clients get `ERR LIMIT` and are closed.
    public var maximumConnections: Int
    /// A connection with no request for this long is closed.
    public var idleTimeout: Duration
    /// The free text after `OK DOSSIER/1` in the greeting.
    public var greeting: String
    /// Seals the audit chains (`AUDIT VERIFY`, the `audit-seal` job); nil:
    /// the chains are verified without seals.
    public var auditKey: AuditKey?

    public init(
        host: String = "127.0.0.1",
        port: Int = 7878,
        maximumLineLength: Int = ProtocolLimits.default.maximumLineLength,
        maximumConnections: Int = 1024,
        idleTimeout: Duration = .seconds(15 * 60),
        greeting: String = "dossierd ready"
    ) {
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
