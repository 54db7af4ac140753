import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Postgres
import Prometheus
import ServiceLifecycle
import Synchronization

/// The operator's HTTP endpoint (`serve --metrics-listen host:port`), a small
/// HTTP/1.1 server on SwiftNIO:
/// - `GET /metrics`: Prometheus text format from the swift-prometheus registry;
/// - `GET /health`: 200 while the process runs (liveness);
/// - `GET /ready`: 200 when the database answers and the schema is current,
///   503 otherwise (readiness; for load balancers and `systemd` checks).
/// One request per connection (`Connection: close`), so shutdown never waits
/// on a scraper's idle keep-alive connection.
public final class MetricsServer: Service, Sendable {
    private let host: String
    private let port: Int
    private let registry: PrometheusCollectorRegistry
    private let sampler: MetricsSampler
    private let logger: Logger
    private let bound = Mutex<SocketAddress?>(nil)

    public init(host: String, port: Int, registry: PrometheusCollectorRegistry, server: DossierServer,
                pool: ConnectionPool, logger: Logger) {
        self.host = host
        self.port = port
        self.registry = registry
        self.sampler = MetricsSampler(server: server, pool: pool)
        self.logger = logger
    }

    /// The bound address, once listening.
    public var localAddress: SocketAddress? { bound.withLock { $0 } }

    public func run() async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        let address = channel.channel.localAddress
        bound.withLock { $0 = address }
        logger.info("metrics listening", metadata: ["address": "\(address.map { "\($0)" } ?? "?")"])
        try await withGracefulShutdownHandler {
            try await channel.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            channel.channel.close(promise: nil)
        }
        logger.info("metrics stopped")
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                for try await part in inbound {
                    switch part {
                    case .head(let request):
                        head = request
                    case .body:
                        continue
                    case .end:
                        guard let request = head else { return }
                        let (status, type, body) = await respond(to: request)
                        var headers = HTTPHeaders()
                        headers.add(name: "Content-Type", value: type)
                        headers.add(name: "Content-Length", value: "\(body.readableBytes)")
                        headers.add(name: "Connection", value: "close")
                        try await outbound.write(.head(HTTPResponseHead(version: request.version, status: status, headers: headers)))
                        if request.method != .HEAD { try await outbound.write(.body(.byteBuffer(body))) }
                        try await outbound.write(.end(nil))
                        return
                    }
                }
            }
        } catch {
            logger.debug("metrics connection failed: \(error)")
        }
    }

    private func respond(to request: HTTPRequestHead) async -> (HTTPResponseStatus, String, ByteBuffer) {
        guard request.method == .GET || request.method == .HEAD else {
            return (.methodNotAllowed, "text/plain; charset=utf-8", ByteBuffer(string: "GET only\n"))
        }
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        switch path {
        case "/metrics":
            await sampler.sample()
            return (.ok, "text/plain; version=0.0.4; charset=utf-8", ByteBuffer(bytes: registry.emitToBuffer()))
        case "/health":
            return (.ok, "text/plain; charset=utf-8", ByteBuffer(string: "alive\n"))
        case "/ready":
            let (ready, detail) = await sampler.readiness()
            return (ready ? .ok : .serviceUnavailable, "text/plain; charset=utf-8", ByteBuffer(string: detail + "\n"))
        default:
            return (.notFound, "text/plain; charset=utf-8", ByteBuffer(string: "not found: /metrics, /health, /ready\n"))
        }
    }
}
