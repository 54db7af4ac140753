/// The error codes of DOSSIER/1 (PROTOCOL.md, "Error codes"). The raw value is the
/// wire spelling; the set is closed and fixed by the contract.
public enum ErrorCode: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// The line cannot be tokenized (or is not UTF-8, or holds a NUL).
    case syntax = "SYNTAX"
    /// No such verb.
    case unknown = "UNKNOWN"
    /// A missing, unknown or invalid argument; the message names it.
    case args = "ARGS"
    /// Not logged in, or bad credentials (never says which part was wrong).
    case auth = "AUTH"
    /// Logged in, sees the object, may not do this.
    case denied = "DENIED"
    /// No such object, or one whose register entry the caller may not see.
    case notFound = "NOTFOUND"
    /// The object's state forbids it.
    case conflict = "CONFLICT"
    /// A size, rate or connection limit.
    case limit = "LIMIT"
    /// The database is unreachable; nothing was changed.
    case unavailable = "UNAVAILABLE"
    /// A bug; nothing was changed.
    case `internal` = "INTERNAL"
    /// The server is stopping.
    case shutdown = "SHUTDOWN"

    public var description: String { rawValue }
}
