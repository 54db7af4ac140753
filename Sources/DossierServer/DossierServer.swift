import DossierProtocol
import Logging
import NIOCore
import NIOPosix
import Postgres
import ServiceLifecycle
import Synchronization

/// The DOSSIER/1 line-protocol server, as a `Service`: on graceful shutdown it
/// stops accepting, lets commands in flight finish, tells idle clients
/// `ERR SHUTDOWN`, and returns once every connection is closed.
public final class DossierServer: Service, Sendable {
    /// Settings of every database session the daemon opens, with the default limits.
    public static let sessionSettings = DatabaseLimits().sessionSettings

    public let configuration: ServerConfiguration
    private let pool: ConnectionPool
    private let logger: Logger
    private let group: any EventLoopGroup
    private let limiter: ConnectionLimiter
    private let statistics: ServerStatistics
    private let shuttingDown = Atomic<Bool>(false)
    private let nextConnectionID = Atomic<Int>(0)
    private let bound = Mutex<SocketAddress?>(nil)
    private let boundWaiters = Mutex<[CheckedContinuation<SocketAddress, any Error>]>([])

    public init(
        configuration: ServerConfiguration,
        pool: ConnectionPool,
        logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.pool = pool
        self.logger = logger
        self.group = group
        self.limiter = ConnectionLimiter(maximum: configuration.maximumConnections)
        self.statistics = ServerStatistics(limiter: limiter)
    }

    /// Client connections: open now, accepted and refused (`ERR LIMIT`) since start.
    public struct ConnectionFigures: Sendable, Equatable {
        public var open: Int
        public var accepted: Int
        public var refused: Int
    }

    public var connectionFigures: ConnectionFigures {
        ConnectionFigures(open: limiter.openConnections, accepted: limiter.acceptedConnections, refused: limiter.refusedConnections)
    }

    /// Graceful shutdown has begun (readiness turns false).
    public var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    /// The address the server listens on, once bound (port 0 picks a free port).
    public func localAddress() async throws -> SocketAddress {
        if let address = bound.withLock({ $0 }) { return address }
        return try await withCheckedThrowingContinuation { continuation in
            let ready = bound.withLock { address -> SocketAddress? in
                if address == nil { boundWaiters.withLock { $0.append(continuation) } }
                return address
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    public func run() async throws {
        let registry = ConnectionRegistry()
        let limits = ProtocolLimits(maximumLineLength: configuration.maximumLineLength)
        let clocks = ConnectionDeadlines.Limits(
            idle: Self.timeAmount(configuration.idleTimeout),
            request: Self.timeAmount(configuration.requestTimeout),
            login: Self.timeAmount(configuration.loginTimeout))
        var opened: [Listener] = []
        do {
            opened.append(try await Listener.bind(
                group: group, host: configuration.host, port: configuration.port, security: configuration.transportSecurity,
                registry: registry, limits: limits, clocks: clocks))
            if let plain = configuration.plainListen {
                opened.append(try await Listener.bind(
                    group: group, host: plain.host, port: plain.port, security: configuration.transportSecurity.plainTwin,
                    registry: registry, limits: limits, clocks: clocks))
            }
        } catch {
            for listener in opened { try? await listener.server.channel.close() }
            let waiters = boundWaiters.withLock { waiters in defer { waiters = [] }; return waiters }
            waiters.forEach { $0.resume(throwing: error) }
            throw error
        }
        let listeners = opened
        let address = listeners[0].address!
        bound.withLock { $0 = address }
        let waiters = boundWaiters.withLock { waiters in defer { waiters = [] }; return waiters }
        waiters.forEach { $0.resume(returning: address) }
        for listener in listeners {
            logger.info("listening", metadata: [
                "address": "\(listener.address.map { "\($0)" } ?? "?")", "tls": "\(listener.security.usesTLS ? "yes" : "no")",
                "pool": "\(pool.configuration.size)", "command_slots": "\(pool.statistics.limit)",
            ])
        }

        let executor = CommandExecutor(
            pool: pool, statistics: statistics, logger: logger, auditKey: configuration.auditKey,
            personalData: configuration.personalData,
            isShuttingDown: { [self] in shuttingDown.load(ordering: .relaxed) },
            defaultLanguage: configuration.defaultLanguage)
        let deadlineTimer = Mutex<Task<Void, Never>?>(nil)
        defer { deadlineTimer.withLock { $0?.cancel() } }
        let loopExecutors = group.makeIterator().map { EventLoopTaskExecutor(eventLoop: $0) }
        try await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for listener in listeners {
                    group.addTask {
                        await self.accept(on: listener, clocks: clocks, executor: executor, loopExecutors: loopExecutors)
                    }
                }
            }
        } onGracefulShutdown: { [self] in
            logger.info("shutting down: no new connections, finishing commands in flight")
            shuttingDown.store(true, ordering: .relaxed)
            // Stop accepting; the accept loops end, then their task groups wait for every connection.
            for listener in listeners { listener.server.channel.close(promise: nil) }
            registry.quiesceAll()
            // Commands still running at the deadline are cancelled in the
            // database and answered ERR SHUTDOWN, so the process exits in time.
            let deadline = configuration.shutdownDeadline
            deadlineTimer.withLock { timer in
                timer = Task { [logger] in
                    guard (try? await Task.sleep(for: deadline)) != nil else { return }
                    let running = executor.inFlight.count
                    if running > 0 { logger.warning("shutdown deadline: cancelling \(running) command(s) in flight") }
                    executor.inFlight.cancelAll()
                }
            }
        }
        logger.info("server stopped")
    }

    /// Accepts connections on one listener until it is closed; each is served in
    /// a task on its own event loop's executor.
    private func accept(
        on listener: Listener, clocks: ConnectionDeadlines.Limits, executor: CommandExecutor,
        loopExecutors: [EventLoopTaskExecutor]
    ) async {
        do {
            try await listener.server.executeThenClose { inbound in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await (connection, signIn) in inbound {
                            let id = nextConnectionID.wrappingAdd(1, ordering: .relaxed).newValue
                            let loop = connection.channel.eventLoop
                            let preferred = loopExecutors.first { $0.eventLoop === loop } ?? EventLoopTaskExecutor(eventLoop: loop)
                            group.addTask(executorPreference: preferred) {
                                await EventLoopTaskExecutor.$current.withValue(preferred) {
                                    await self.serve(connection, id: id, signIn: signIn, clocks: clocks, executor: executor,
                                                     security: listener.security)
                                }
                            }
                        }
                    } catch {
                        logger.error("accept loop failed", metadata: ["error": "\(error)"])
                    }
                }
            }
        } catch {
            logger.error("listener failed", metadata: ["error": "\(error)"])
        }
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.inNanoseconds)
    }

    private func serve(
        _ connection: NIOAsyncChannel<[ConnectionEvent], ByteBuffer>, id: Int, signIn: SignInSignal,
        clocks: ConnectionDeadlines.Limits, executor: CommandExecutor, security: TransportSecurity
    ) async {
        guard limiter.admit() else {
            try? await connection.executeThenClose { _, outbound in
                try await outbound.write(ByteBuffer(string:
                    "ERR LIMIT \(MessageCatalog.translate("too many connections", to: configuration.defaultLanguage))\n"))
            }
            return
        }
        defer { limiter.release() }
        guard !shuttingDown.load(ordering: .relaxed) else {
            try? await connection.executeThenClose { _, outbound in
                try await outbound.write(ByteBuffer(string: "ERR SHUTDOWN server is stopping\n"))
            }
            return
        }
        var session = ConnectionSession(
            id: id, channel: connection, executor: executor, greeting: configuration.greeting,
            signIn: signIn, deadlines: clocks,
            isShuttingDown: { [self] in shuttingDown.load(ordering: .relaxed) }, logger: logger
        )
        session.refusesPlainAuth = security.refusesPlainAuth(from: connection.channel.remoteAddress)
        await session.run()
    }
}
