import NIOCore
import NIOPosix
import Synchronization

/// What every connection of one `ping` run shares (across event loops).
final class PingRun: Sendable {
    let total: Int
    let pipeline: Int
    let request: ByteBuffer
    let expected: [UInt8]
    /// The first line a connection must receive before it may send; nil when
    /// the server sends no greeting (redis).
    let greetingPrefix: [UInt8]?

    let issued = Atomic<Int>(0)
    let completed = Atomic<Int>(0)
    let unexpected = Atomic<Int>(0)
    let ready = Atomic<Int>(0)
    let badGreetings = Atomic<Int>(0)
    let closed = Atomic<Int>(0)
    let finishedAt = Atomic<UInt64>(0)
    let histogram = Mutex(LatencyHistogram())
    let firstError = Mutex<String?>(nil)

    init(total: Int, pipeline: Int, request: String, expected: String, greetingPrefix: String?) {
        self.total = total
        self.pipeline = pipeline
        self.request = ByteBuffer(string: request + "\n")
        self.expected = Array(expected.utf8)
        self.greetingPrefix = greetingPrefix.map { Array($0.utf8) }
    }

    /// Takes one of the `total` requests; false when all are taken.
    @inline(__always)
    func claim() -> Bool {
        issued.wrappingAdd(1, ordering: .relaxed).oldValue < total
    }

    func note(error: any Error) {
        firstError.withLock { if $0 == nil { $0 = "\(error)" } }
    }
}

/// Sent down every pipeline at once to start the measured phase.
struct StartEvent: Sendable {}

/// Splits a byte stream into lines (`\n`, optional `\r` before it) without
/// allocating per line; keeps a partial line across reads.
struct LineSplitter {
    private var partial: ByteBuffer?

    mutating func forEachLine(in incoming: ByteBuffer, _ body: (ByteBufferView) -> Void) {
        var buffer: ByteBuffer
        if var carried = partial {
            var incoming = incoming
            carried.writeBuffer(&incoming)
            buffer = carried
            partial = nil
        } else {
            buffer = incoming
        }
        let view = buffer.readableBytesView
        var lineStart = view.startIndex
        while let newline = view[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            var lineEnd = newline
            if lineEnd > lineStart, view[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            body(view[lineStart..<lineEnd])
            lineStart = newline + 1
        }
        if lineStart < view.endIndex {
            buffer.moveReaderIndex(forwardBy: lineStart - view.startIndex)
            partial = buffer
        }
    }
}

/// One client connection of the `ping` load: after the greeting, keeps
/// `pipeline` requests in flight (a sliding window: each response lets one
/// more request go), and records for each the time from its send to the
/// receipt of its response. Runs entirely on its event loop.
final class PingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let run: PingRun
    private var lines = LineSplitter()
    private var greeted: Bool
    private var started = false
    /// Send times of the requests in flight, oldest first (a ring).
    private var sentAt: [UInt64]
    private var oldest = 0
    private var inFlight = 0
    private var histogram = LatencyHistogram()

    init(run: PingRun) {
        self.run = run
        self.greeted = run.greetingPrefix == nil
        self.sentAt = Array(repeating: 0, count: run.pipeline)
    }

    func channelActive(context: ChannelHandlerContext) {
        if greeted { run.ready.wrappingAdd(1, ordering: .relaxed) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let mine = histogram
        run.histogram.withLock { $0.merge(mine) }
        run.closed.wrappingAdd(1, ordering: .relaxed)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is StartEvent else { return context.fireUserInboundEventTriggered(event) }
        started = true
        sendMore(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let receivedAt = nowNanos()
        var finished = 0
        lines.forEachLine(in: unwrapInboundIn(data)) { line in
            guard greeted else {
                greeted = true
                if let prefix = run.greetingPrefix, line.starts(with: prefix) {
                    run.ready.wrappingAdd(1, ordering: .relaxed)
                } else {
                    run.badGreetings.wrappingAdd(1, ordering: .relaxed)
                }
                return
            }
            guard inFlight > 0 else {
                run.unexpected.wrappingAdd(1, ordering: .relaxed)
                return
            }
            if !line.elementsEqual(run.expected) { run.unexpected.wrappingAdd(1, ordering: .relaxed) }
            let sent = sentAt[oldest]
            oldest = oldest + 1 == sentAt.count ? 0 : oldest + 1
            inFlight -= 1
            histogram.record(receivedAt &- sent)
            finished += 1
        }
        if finished > 0 {
            let done = run.completed.wrappingAdd(finished, ordering: .relaxed).newValue
            if done == run.total { run.finishedAt.store(receivedAt, ordering: .relaxed) }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if started { sendMore(context: context) }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        run.note(error: error)
        context.close(promise: nil)
    }

    /// Fills the window: one write (and one flush) for all requests that may go.
    private func sendMore(context: ChannelHandlerContext) {
        var count = 0
        while inFlight + count < run.pipeline, run.claim() { count += 1 }
        guard count > 0 else { return }
        var buffer: ByteBuffer
        if count == 1 {
            buffer = run.request
        } else {
            buffer = context.channel.allocator.buffer(capacity: run.request.readableBytes * count)
            for _ in 0..<count { buffer.writeImmutableBuffer(run.request) }
        }
        let now = nowNanos()
        for _ in 0..<count {
            var slot = oldest + inFlight
            if slot >= sentAt.count { slot -= sentAt.count }
            sentAt[slot] = now
            inFlight += 1
        }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}

struct PingCommand {
    static let options: Set<String> = [
        "host", "port", "connections", "requests", "pipeline", "duration-limit", "threads",
        "label", "request", "expect", "greeting",
    ]

    let host: String
    let port: Int
    let connections: Int
    let requests: Int
    let pipeline: Int
    let durationLimit: Int
    let threads: Int
    let label: String
    let request: String
    let expect: String
    let greeting: String?

    init(_ options: Options) throws {
        host = options.string("host", "127.0.0.1")
        guard options.has("port") else { throw UsageError(description: "--port is required") }
        port = try options.int("port", 0)
        connections = try options.int("connections", 50)
        requests = try options.int("requests", 200_000)
        pipeline = try options.int("pipeline", 1)
        durationLimit = try options.int("duration-limit", 60)
        threads = try options.int("threads", 1)
        label = options.string("label", "dossierd")
        request = options.string("request", "PING")
        expect = options.string("expect", "OK PONG")
        let greeting = options.string("greeting", "OK DOSSIER/1")
        self.greeting = greeting == "none" ? nil : greeting
    }

    func run() async throws -> Bool {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let run = PingRun(total: requests, pipeline: pipeline, request: request, expected: expect, greetingPrefix: greeting)
        var channels: [any Channel] = []
        defer {
            // Close whatever is still open (also on errors), then the loops.
            for channel in channels { channel.close(promise: nil) }
        }
        let bootstrap = LoadPhases.bootstrap(group) { PingHandler(run: run) }
        for _ in 0..<connections {
            channels.append(try await bootstrap.connect(host: host, port: port).get())
        }

        // Every connection greeted before the clock starts.
        try await LoadPhases.awaitReady(
            connections, within: 10,
            settled: { run.ready.load(ordering: .relaxed) + run.badGreetings.load(ordering: .relaxed) },
            failed: { run.closed.load(ordering: .relaxed) > 0 },
            problem: { "only \(run.ready.load(ordering: .relaxed)) of \(connections) connections were greeted" })
        guard run.badGreetings.load(ordering: .relaxed) == 0 else {
            throw UsageError(description: "\(run.badGreetings.load(ordering: .relaxed)) connections got an unexpected greeting")
        }

        let start = try await LoadPhases.run(channels, limitSeconds: durationLimit) {
            run.completed.load(ordering: .relaxed) < requests && run.closed.load(ordering: .relaxed) < connections
        }
        let finishedAt = run.finishedAt.load(ordering: .relaxed)
        let end = finishedAt != 0 ? finishedAt : nowNanos()
        let completed = min(run.completed.load(ordering: .relaxed), requests)

        try await LoadPhases.close(&channels, group)

        let histogram = run.histogram.withLock { $0 }
        let seconds = Double(end - start) / 1e9
        let rps = seconds > 0 ? Double(completed) / seconds : 0
        let complete = completed == requests
        let errors = run.unexpected.load(ordering: .relaxed)
        print(
            "\(label) ping conns=\(connections) pipeline=\(pipeline) requests=\(requests) completed=\(completed)"
                + " errors=\(errors) seconds=\(fixed(seconds)) rps=\(Int(rps.rounded()))"
                + histogram.summary()
                + (complete ? "" : " incomplete=yes")
        )
        if let error = run.firstError.withLock({ $0 }) { standardError("dossier-bench: first connection error: \(error)") }
        return complete && errors == 0
    }
}
