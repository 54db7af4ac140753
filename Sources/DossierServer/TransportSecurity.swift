import NIOCore
import NIOSSL

/// How clients reach the line protocol (issue 10): TLS when the daemon has a
/// certificate and key (`serve --tls-cert/--tls-key`), else plain TCP — on
/// which `AUTH` is refused to clients that are not on the loopback address,
/// unless the operator allows it (`--allow-plaintext`): a password must not
/// cross the network in clear.
public struct TransportSecurity: Sendable {
    let context: NIOSSLContext?
    public let allowPlaintext: Bool

    /// Why a certificate or key could not be used, for the operator.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Plain TCP; `AUTH` only from loopback unless `allowPlaintext`.
    public static func plaintext(allowPlaintext: Bool = false) -> TransportSecurity {
        TransportSecurity(context: nil, allowPlaintext: allowPlaintext)
    }

    /// TLS (1.2 or later) with the PEM certificate chain and private key of these
    /// files; `allowPlaintext` is for a plain listener beside it (`plainTwin`).
    public static func tls(certificateFile: String, keyFile: String, allowPlaintext: Bool = false) throws(Failure) -> TransportSecurity {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw Failure(description: "cannot read a PEM certificate from \(certificateFile) (\(error))")
        }
        guard !chain.isEmpty else { throw Failure(description: "\(certificateFile) holds no PEM certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw Failure(description: "cannot read a PEM private key from \(keyFile) (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // When the server closes (QUIT, a clock, shutdown) it sends close_notify and
        // waits for the client's; a console idle at its prompt does not answer, and
        // the connection slot and graceful shutdown should not wait the default 5 s.
        configuration.shutdownTimeout = .seconds(1)
        do {
            return TransportSecurity(context: try NIOSSLContext(configuration: configuration), allowPlaintext: allowPlaintext)
        } catch {
            // E.g. a key that does not belong to the certificate.
            throw Failure(description: "cannot use \(certificateFile) with \(keyFile) (\(error))")
        }
    }

    public var usesTLS: Bool { context != nil }

    /// The same rule for `AUTH` in clear, without TLS (the `--plain-listen` listener).
    public var plainTwin: TransportSecurity { .plaintext(allowPlaintext: allowPlaintext) }

    /// The handler that speaks TLS on a new connection, if any (first in the pipeline).
    func handler() -> NIOSSLServerHandler? { context.map { NIOSSLServerHandler(context: $0) } }

    /// Must `AUTH` be refused on this connection? Plain TCP from a peer that
    /// is not loopback, when plaintext is not allowed.
    func refusesPlainAuth(from peer: SocketAddress?) -> Bool {
        guard context == nil, !allowPlaintext else { return false }
        return !Self.isLoopback(peer)
    }

    /// 127.0.0.0/8, ::1 and IPv4-mapped 127.x; a Unix socket counts as local.
    static func isLoopback(_ peer: SocketAddress?) -> Bool {
        guard let peer else { return false }
        if case .unixDomainSocket = peer { return true }
        guard let ip = peer.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.lowercased().hasPrefix("::ffff:127.")
    }
}
