/// What a read from the server gave.
public enum Received: Equatable, Sendable {
    case bytes([UInt8])
    /// The server closed the connection.
    case end
    /// Nothing has arrived yet (only when not waiting).
    case nothing
}

/// The bytes of one connection to the server: plain TCP (`SocketStream`) or
/// TLS over it (`TLSStream`). Blocking and used by one thread at a time.
public protocol ByteStream: AnyObject {
    func send(_ bytes: [UInt8]) throws(ConnectionError)
    /// With `wait`, blocks until bytes or the end arrive; without, answers
    /// `.nothing` when nothing can be read now.
    func receive(wait: Bool) throws(ConnectionError) -> Received
}
