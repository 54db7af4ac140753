import NIOCore
import NIOEmbedded
import NIOSSL

/// TLS over a blocking `SocketStream`: swift-nio-ssl's client handler runs in an
/// `EmbeddedChannel` that is fed the socket's bytes by hand, so the console
/// stays a simple synchronous program while using the same TLS library as the
/// server (certificate and host name verified in the handshake).
public final class TLSStream: ByteStream {
    private let socket: SocketStream
    private let channel = EmbeddedChannel()
    private let settings: TLSClientSettings
    private let host: String
    /// The TLS session has ended (close_notify, or the socket's end).
    private var ended = false

    /// Starts the handshake; it completes (or fails, with a clear reason) while
    /// the greeting is read.
    public init(over socket: SocketStream, host: String, port: Int, settings: TLSClientSettings) throws(ConnectionError) {
        self.socket = socket
        self.settings = settings
        self.host = host
        do {
            // Names are checked against DNS entries; an address against IP entries
            // (NIOSSL matches it to the channel's remote address).
            let name = (try? SocketAddress(ipAddress: host, port: port)) == nil ? host : nil
            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: settings.context, serverHostname: name))
            let peer = try SocketAddress(ipAddress: socket.peerAddress, port: port)
            channel.connect(to: peer, promise: nil)
            try channel.throwIfErrorCaught()
        } catch {
            throw settings.explain(error, host: host)
        }
        try flush()
    }

    public func send(_ bytes: [UInt8]) throws(ConnectionError) {
        guard !ended else { throw .closed }
        do {
            try channel.writeOutbound(channel.allocator.buffer(bytes: bytes))
        } catch {
            throw settings.explain(error, host: host)
        }
        try flush()
    }

    public func receive(wait: Bool) throws(ConnectionError) -> Received {
        while true {
            if let plaintext = try takePlaintext() { return .bytes(plaintext) }
            if ended { return .end }
            switch try socket.receive(wait: wait) {
            case .nothing:
                return .nothing
            case .end:
                ended = true
            case .bytes(let ciphertext):
                do {
                    try channel.writeInbound(channel.allocator.buffer(bytes: ciphertext))
                } catch {
                    ended = true
                    try? flush()  // the alert that tells the server why
                    throw settings.explain(error, host: host)
                }
                // Handshake messages, the answer to the server's close_notify.
                try flush()
                if !channel.isActive { ended = true }
            }
        }
    }

    /// Decrypted bytes waiting to be read, if any.
    private func takePlaintext() throws(ConnectionError) -> [UInt8]? {
        var out: [UInt8] = []
        do {
            while let buffer = try channel.readInbound(as: ByteBuffer.self) { out += buffer.readableBytesView }
        } catch {
            throw settings.explain(error, host: host)
        }
        return out.isEmpty ? nil : out
    }

    /// Sends what TLS wrote (handshake, records, alerts) to the socket.
    private func flush() throws(ConnectionError) {
        do {
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
                try socket.send(Array(buffer.readableBytesView))
            }
        } catch let error as ConnectionError {
            throw error
        } catch {
            throw settings.explain(error, host: host)
        }
    }
}
