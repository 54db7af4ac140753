import NIOCore
import NIOPosix

/// The phases every load run goes through: connect its clients, wait until
/// each is ready (greeted, signed in) so that setup is never timed, start them
/// all at once, wait until the work is done or time is up, close.
enum LoadPhases {
    /// A client bootstrap with the settings of every load: short connect
    /// timeout, no Nagle delay, one handler made by `handler` per channel.
    static func bootstrap(
        _ group: any EventLoopGroup, handler: @escaping @Sendable () -> any ChannelHandler
    ) -> ClientBootstrap {
        ClientBootstrap(group: group)
            .connectTimeout(.seconds(5))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler()) }
            }
    }

    /// Polls until `settled()` reaches `count`; throws `problem()` when
    /// `failed()` turns true or `seconds` pass first.
    static func awaitReady(
        _ count: Int, within seconds: UInt64, settled: () -> Int, failed: () -> Bool, problem: () -> String
    ) async throws {
        let deadline = nowNanos() + seconds * 1_000_000_000
        while settled() < count {
            guard nowNanos() < deadline, !failed() else { throw UsageError(description: problem()) }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Starts every client (`StartEvent`) and polls until `running()` turns
    /// false or `limitSeconds` pass; returns when the clock started.
    static func run(_ channels: [any Channel], limitSeconds: Int, while running: () -> Bool) async throws -> UInt64 {
        let start = nowNanos()
        for channel in channels { channel.pipeline.fireUserInboundEventTriggered(StartEvent()) }
        let deadline = start + UInt64(limitSeconds) * 1_000_000_000
        while running(), nowNanos() < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        return start
    }

    /// Closes every channel, waits for each to be closed, then stops the loops.
    static func close(_ channels: inout [any Channel], _ group: MultiThreadedEventLoopGroup) async throws {
        for channel in channels { try? await channel.close() }
        for channel in channels { try? await channel.closeFuture.get() }
        channels = []
        try await group.shutdownGracefully()
    }
}

extension LatencyHistogram {
    /// ` p50_ms=… p99_ms=… [p999_ms=…] max_ms=… mean_ms=…`, as every report prints it.
    func summary(p999: Bool = true) -> String {
        let ms = { (nanos: UInt64) in fixed(Double(nanos) / 1e6) }
        return " p50_ms=\(ms(value(atQuantile: 0.50))) p99_ms=\(ms(value(atQuantile: 0.99)))"
            + (p999 ? " p999_ms=\(ms(value(atQuantile: 0.999)))" : "")
            + " max_ms=\(ms(maximum)) mean_ms=\(fixed(mean / 1e6))"
    }
}
