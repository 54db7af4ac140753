/// A failed request as the client sees it: `ERR <code> <message>`.
///
/// Messages produced by this module never echo argument *values* (only argument
/// names and usage), so they are safe to log even for `AUTH` lines.
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    /// The argument the error is about, when it is about one (`missing`,
    /// `unknownArgument`, `invalid`), so that a caller who filled the
    /// arguments from elsewhere can say where the value came from (an
    /// import names the file's column). Not part of the error's identity:
    /// two errors that read the same are equal.
    public var argument: String?

    public init(_ code: ErrorCode, _ message: String, argument: String? = nil) {
        self.code = code
        self.message = message
        self.argument = argument
    }

    public static func == (lhs: ProtocolError, rhs: ProtocolError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }

    public var description: String { "\(code.rawValue) \(message)" }

    public static func syntax(_ message: String) -> ProtocolError { ProtocolError(.syntax, message) }
    public static func args(_ message: String) -> ProtocolError { ProtocolError(.args, message) }

    /// `ARGS missing argument: <name>`
    public static func missing(_ name: String) -> ProtocolError {
        ProtocolError(.args, "missing argument: \(name)", argument: name)
    }
    /// `ARGS unknown argument: <name>`
    public static func unknownArgument(_ name: String) -> ProtocolError {
        ProtocolError(.args, "unknown argument: \(name)", argument: name)
    }
    /// `ARGS invalid <name>: <why>`
    public static func invalid(_ name: String, _ why: String) -> ProtocolError {
        ProtocolError(.args, "invalid \(name): \(why)", argument: name)
    }

    /// What an unauthenticated client gets for anything but PING, AUTH, LANG, HELP, QUIT.
    public static let loginRequired = ProtocolError(.auth, "login required")
    /// The one answer to every failed login, whatever was wrong.
    public static let badCredentials = ProtocolError(.auth, "invalid credentials")
    /// The framer's answer to an over-long request.
    public static let lineTooLong = ProtocolError(.limit, "line too long")
}
