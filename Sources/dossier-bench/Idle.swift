import NIOCore
import NIOPosix
import Synchronization

/// Counters of one `idle` run.
final class IdleRun: Sendable {
    let greetingPrefix: [UInt8]
    let greeted = Atomic<Int>(0)
    let badGreetings = Atomic<Int>(0)
    let ponged = Atomic<Int>(0)
    let closed = Atomic<Int>(0)

    init(greetingPrefix: String) {
        self.greetingPrefix = Array(greetingPrefix.utf8)
    }
}

/// One idle client: reads the greeting, then does nothing until told to send
/// one `PING` (to show the server still serves every held connection).
final class IdleHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let run: IdleRun
    private var lines = LineSplitter()
    private var seen = 0

    init(run: IdleRun) {
        self.run = run
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lines.forEachLine(in: unwrapInboundIn(data)) { line in
            seen += 1
            if seen == 1 {
                if line.starts(with: run.greetingPrefix) {
                    run.greeted.wrappingAdd(1, ordering: .relaxed)
                } else {
                    run.badGreetings.wrappingAdd(1, ordering: .relaxed)
                }
            } else if line.elementsEqual("OK PONG".utf8) {
                run.ponged.wrappingAdd(1, ordering: .relaxed)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is StartEvent else { return context.fireUserInboundEventTriggered(event) }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "PING\n")), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        run.closed.wrappingAdd(1, ordering: .relaxed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

struct IdleCommand {
    static let options: Set<String> = ["host", "port", "connections", "pid", "hold", "greeting"]

    let host: String
    let port: Int
    let connections: Int
    let pid: Int32
    let hold: Int
    let greeting: String

    init(_ options: Options) throws {
        host = options.string("host", "127.0.0.1")
        guard options.has("port") else { throw UsageError(description: "--port is required") }
        port = try options.int("port", 0)
        guard options.has("pid") else { throw UsageError(description: "--pid is required") }
        pid = Int32(try options.int("pid", 0))
        connections = try options.int("connections", 1000)
        hold = try options.int("hold", 2, atLeast: 0)
        greeting = options.string("greeting", "OK DOSSIER/1")
    }

    func run() async throws -> Bool {
        guard let before = residentKilobytes(pid: pid) else {
            throw UsageError(description: "cannot read VmRSS of pid \(pid)")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let run = IdleRun(greetingPrefix: greeting)
        var channels: [any Channel] = []
        defer { for channel in channels { channel.close(promise: nil) } }
        let bootstrap = LoadPhases.bootstrap(group) { IdleHandler(run: run) }
        for _ in 0..<connections {
            channels.append(try await bootstrap.connect(host: host, port: port).get())
        }
        let greetDeadline = nowNanos() + 30_000_000_000
        while run.greeted.load(ordering: .relaxed) + run.badGreetings.load(ordering: .relaxed) < connections,
              run.closed.load(ordering: .relaxed) == 0,
              nowNanos() < greetDeadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let greeted = run.greeted.load(ordering: .relaxed)
        // Let the server settle (lazily created per-connection state) before measuring.
        try await Task.sleep(for: .seconds(hold))
        let held = residentKilobytes(pid: pid) ?? 0

        // Every held connection still answers.
        for channel in channels { channel.pipeline.fireUserInboundEventTriggered(StartEvent()) }
        let pingDeadline = nowNanos() + 10_000_000_000
        while run.ponged.load(ordering: .relaxed) < greeted, nowNanos() < pingDeadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let afterPing = residentKilobytes(pid: pid) ?? 0
        let ponged = run.ponged.load(ordering: .relaxed)

        try await LoadPhases.close(&channels, group)

        let mb = { (kb: Int) in fixed(Double(kb) / 1024, 1) }
        let perConnection = connections > 0 ? Double(held - before) / Double(connections) : 0
        print(
            "idle conns=\(connections) greeted=\(greeted) pong=\(ponged)"
                + " rss_before_mb=\(mb(before)) rss_after_mb=\(mb(held)) rss_after_ping_mb=\(mb(afterPing))"
                + " per_conn_kb=\(fixed(perConnection, 1))"
        )
        return greeted == connections && ponged == connections
    }
}
