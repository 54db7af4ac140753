/// Why talking to the server failed, worded for the person at the console.
public enum ConnectionError: Error, CustomStringConvertible, Sendable {
    case resolve(host: String, reason: String)
    case connect(host: String, port: Int, reason: String)
    case closed
    case io(String)
    /// TLS could not be set up or verified; the reason says which and what to do.
    case tls(String)

    public var description: String {
        switch self {
        case .resolve(let host, let reason): "cannot resolve \(host): \(reason)"
        case .connect(let host, let port, let reason): "cannot connect to \(host):\(port): \(reason)"
        case .closed: "connection closed by the server"
        case .io(let reason): "connection error: \(reason)"
        case .tls(let reason): "TLS: \(reason)"
        }
    }
}
