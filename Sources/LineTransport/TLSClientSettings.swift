import Glibc
import NIOSSL

/// How the console checks the server it talks TLS to: the certificate must be
/// signed by a CA of `--ca` (else of the system's trust store) and name the host
/// connected to (a DNS name, or an IP address entry when the host is an address).
public struct TLSClientSettings: Sendable {
    /// The CA certificates file (`--ca`); nil: the system's trusted CAs.
    public let caFile: String?
    let context: NIOSSLContext

    public init(caFile: String?) throws(ConnectionError) {
        self.caFile = caFile
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let caFile {
            guard access(caFile, R_OK) == 0 else {
                throw .tls("cannot read --ca \(caFile): \(String(cString: strerror(errno)))")
            }
            let certificates = (try? NIOSSLCertificate.fromPEMFile(caFile)) ?? []
            guard !certificates.isEmpty else { throw .tls("--ca \(caFile) holds no PEM certificate") }
            configuration.trustRoots = .certificates(certificates)
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .tls("cannot set up TLS: \(error)")
        }
    }

    /// Who must have signed the server's certificate, for messages.
    private var trusted: String { caFile.map { "the CA of --ca \($0)" } ?? "a CA this system trusts (give the company CA with --ca)" }

    /// A handshake failure in words that say what to check.
    func explain(_ error: any Error, host: String) -> ConnectionError {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return .tls("the server's certificate is not issued for \(host); refusing to talk to it")
        }
        if case .handshakeFailed(let reason)? = error as? NIOSSLError {
            let text = "\(reason)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return .tls("the server's certificate is not signed by \(trusted) (or has expired); refusing to talk to it")
            }
            if ["WRONG_VERSION_NUMBER", "PACKET_LENGTH_TOO_LONG", "RECORD_LENGTH_MISMATCH", "HTTP_REQUEST"].contains(where: { text.contains($0) }) {
                return .tls("the server does not speak TLS on this port (is dossierd started with --tls-cert and --tls-key?)")
            }
            return .tls("handshake failed: \(text)")
        }
        if let error = error as? ConnectionError { return error }
        return .tls("\(error)")
    }
}
