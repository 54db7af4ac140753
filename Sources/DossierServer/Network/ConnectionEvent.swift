import DossierProtocol

/// What the session loop of one connection reacts to: framed requests, and the
/// channel events that `NIOAsyncChannel` would not forward by itself.
enum ConnectionEvent: Sendable, Equatable {
    case line(String)
    case tooLong
    case invalid(LineFramer.InvalidLine)
    /// A connection clock ran out: idle, request or login timeout.
    case expired(ConnectionDeadlines.Expiry)
    /// The server is shutting down gracefully.
    case shutdown
}
