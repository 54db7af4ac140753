import DossierProtocol
import NIOCore
import NIOPosix

/// One listening socket of the line protocol and how its connections are
/// secured: the `--listen` address (TLS when configured) and, optionally, a
/// plain-TCP one for local tools (`--plain-listen`).
struct Listener: Sendable {
    typealias Accepted = (NIOAsyncChannel<[ConnectionEvent], ByteBuffer>, SignInSignal)

    let server: NIOAsyncChannel<Accepted, Never>
    let security: TransportSecurity

    var address: SocketAddress? { server.channel.localAddress }

    /// Binds `host`:`port`. Each connection's pipeline: TLS first (if any), then
    /// the framing handler with the connection clocks, then the async channel.
    static func bind(
        group: any EventLoopGroup, host: String, port: Int, security: TransportSecurity,
        registry: ConnectionRegistry, limits: ProtocolLimits, clocks: ConnectionDeadlines.Limits
    ) async throws -> Listener {
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            // A write waits while this much is unsent (the session's memory bound).
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 16 * 1024, high: 64 * 1024))
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    registry.register(channel)
                    if let tls = security.handler() {
                        try channel.pipeline.syncOperations.addHandler(tls)
                    }
                    let signIn = SignInSignal()
                    try channel.pipeline.syncOperations.addHandler(
                        RequestFramingHandler(limits: limits, deadlines: clocks, signIn: signIn))
                    // At most two reads (≤ 64 KB each) wait while a command runs or a write waits.
                    let wrapped = try NIOAsyncChannel<[ConnectionEvent], ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: 2))
                    )
                    return (wrapped, signIn)
                }
            }
        return Listener(server: server, security: security)
    }
}
