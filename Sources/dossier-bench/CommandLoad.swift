#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix
import Synchronization

/// What every connection of one `command` run shares (across event loops).
final class CommandRun: Sendable {
    let total: Int
    /// The request lines, each with its `\n`; request n is `requests[n % count]`.
    let requests: [ByteBuffer]
    let auth: ByteBuffer
    let greetingPrefix: [UInt8]

    let issued = Atomic<Int>(0)
    let completed = Atomic<Int>(0)
    /// Responses whose final line is `ERR …` (commands that failed).
    let errors = Atomic<Int>(0)
    /// Lines that fit no response: not `* `, `OK`, `ERR` (a protocol violation).
    let unexpected = Atomic<Int>(0)
    /// Data lines (`* …`) received, for a rows-per-response sanity figure.
    let dataLines = Atomic<Int>(0)
    let ready = Atomic<Int>(0)
    let refused = Atomic<Int>(0)
    let closed = Atomic<Int>(0)
    /// Set once: stop sending (time limit reached).
    let stopping = Atomic<Bool>(false)
    let finishedAt = Atomic<UInt64>(0)
    let histogram = Mutex(LatencyHistogram())
    let firstError = Mutex<String?>(nil)
    let firstRefusal = Mutex<String?>(nil)

    init(total: Int, requests: [String], login: String, password: String, greetingPrefix: String) {
        self.total = total
        self.requests = requests.map { ByteBuffer(string: $0 + "\n") }
        self.auth = ByteBuffer(string: "AUTH \(Self.quoted(login)) \(Self.quoted(password))\n")
        self.greetingPrefix = Array(greetingPrefix.utf8)
    }

    /// Takes the next of the `total` requests (its number); nil when all are taken or time is up.
    @inline(__always)
    func claim() -> Int? {
        guard !stopping.load(ordering: .relaxed) else { return nil }
        let number = issued.wrappingAdd(1, ordering: .relaxed).oldValue
        return number < total ? number : nil
    }

    func note(error: String) {
        firstError.withLock { if $0 == nil { $0 = error } }
    }

    /// A protocol argument, quoted when it needs to be (PROTOCOL.md, Tokens).
    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && !value.unicodeScalars.contains {
            $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "\\" || $0.value < 0x20
        }
        if plain { return value }
        var text = "\""
        for character in value {
            switch character {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\t": text += "\\t"
            default: text.append(character)
            }
        }
        return text + "\""
    }
}

/// One client of the `command` load: greeting, `AUTH` (not timed), then, once
/// started, one request at a time (no pipelining): a response is any number
/// of data lines `* …` and a final `OK …` or `ERR …`; its latency runs from
/// the request's send to the receipt of the final line. Runs on its event loop.
final class CommandHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case greeting, authenticating, idle, waiting
    }

    private let run: CommandRun
    private var lines = LineSplitter()
    private var state = State.greeting
    private var started = false
    private var sentAt: UInt64 = 0
    private var histogram = LatencyHistogram()

    init(run: CommandRun) {
        self.run = run
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
        if state == .idle { sendNext(context: context) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let receivedAt = nowNanos()
        var finished = 0
        var failed = 0
        var rows = 0
        var sendAfter = false
        lines.forEachLine(in: unwrapInboundIn(data)) { line in
            switch state {
            case .greeting:
                if line.starts(with: run.greetingPrefix) {
                    state = .authenticating
                    context.writeAndFlush(wrapOutboundOut(run.auth), promise: nil)
                } else {
                    refuse("greeting: " + String(decoding: line, as: UTF8.self), context: context)
                }
            case .authenticating:
                if line.starts(with: "* ".utf8) { return }
                if line.starts(with: "OK".utf8) {
                    state = .idle
                    run.ready.wrappingAdd(1, ordering: .relaxed)
                    if started { sendAfter = true }
                } else {
                    refuse("AUTH: " + String(decoding: line, as: UTF8.self), context: context)
                }
            case .waiting:
                if line.starts(with: "* ".utf8) {
                    rows += 1
                    return
                }
                let ok = line.starts(with: "OK".utf8)
                if !ok {
                    if line.starts(with: "ERR".utf8) {
                        failed += 1
                        run.note(error: String(decoding: line, as: UTF8.self))
                    } else {
                        run.unexpected.wrappingAdd(1, ordering: .relaxed)
                        run.note(error: "unexpected line: " + String(decoding: line, as: UTF8.self))
                        return
                    }
                }
                histogram.record(receivedAt &- sentAt)
                finished += 1
                state = .idle
                sendAfter = true
            case .idle:
                run.unexpected.wrappingAdd(1, ordering: .relaxed)
                run.note(error: "line without a request: " + String(decoding: line, as: UTF8.self))
            }
        }
        if rows > 0 { run.dataLines.wrappingAdd(rows, ordering: .relaxed) }
        if failed > 0 { run.errors.wrappingAdd(failed, ordering: .relaxed) }
        if finished > 0 {
            let done = run.completed.wrappingAdd(finished, ordering: .relaxed).newValue
            if done == run.total { run.finishedAt.store(receivedAt, ordering: .relaxed) }
        }
        if sendAfter, started, state == .idle { sendNext(context: context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        run.note(error: "\(error)")
        context.close(promise: nil)
    }

    private func refuse(_ what: String, context: ChannelHandlerContext) {
        run.refused.wrappingAdd(1, ordering: .relaxed)
        run.firstRefusal.withLock { if $0 == nil { $0 = what } }
        state = .idle
        context.close(promise: nil)
    }

    private func sendNext(context: ChannelHandlerContext) {
        guard let number = run.claim() else { return }
        state = .waiting
        sentAt = nowNanos()
        context.writeAndFlush(wrapOutboundOut(run.requests[number % run.requests.count]), promise: nil)
    }
}

struct CommandLoadCommand {
    static let options: Set<String> = [
        "host", "port", "connections", "requests", "duration-limit", "threads", "label",
        "auth", "password", "line", "lines-file", "greeting",
    ]

    let host: String
    let port: Int
    let connections: Int
    let requests: Int
    let durationLimit: Int
    let threads: Int
    let label: String
    let login: String
    let password: String
    let lines: [String]
    let greeting: String

    init(_ options: Options) throws {
        host = options.string("host", "127.0.0.1")
        guard options.has("port") else { throw UsageError(description: "--port is required") }
        port = try options.int("port", 0)
        connections = try options.int("connections", 8)
        requests = try options.int("requests", 10_000)
        durationLimit = try options.int("duration-limit", 60)
        threads = try options.int("threads", 1)
        label = options.string("label", "dossierd")
        guard options.has("auth"), options.has("password") else {
            throw UsageError(description: "--auth <login> and --password <pw> are required")
        }
        login = options.string("auth", "")
        password = options.string("password", "")
        greeting = options.string("greeting", "OK DOSSIER/1")
        var lines: [String] = []
        if options.has("line") { lines.append(options.string("line", "")) }
        if options.has("lines-file") {
            lines += try Self.readLines(options.string("lines-file", ""))
        }
        lines = lines.filter { !$0.allSatisfy { $0 == " " || $0 == "\t" } }
        guard !lines.isEmpty else { throw UsageError(description: "--line or --lines-file (with at least one request) is required") }
        for line in lines where line.utf8.contains(UInt8(ascii: "\n")) || line.utf8.contains(0) {
            throw UsageError(description: "a request may not contain a newline or NUL: \(line)")
        }
        self.lines = lines
    }

    static func readLines(_ path: String) throws -> [String] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw UsageError(description: "cannot open --lines-file \(path)") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
    }

    func run() async throws -> Bool {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let run = CommandRun(total: requests, requests: lines, login: login, password: password, greetingPrefix: greeting)
        var channels: [any Channel] = []
        defer {
            for channel in channels { channel.close(promise: nil) }
        }
        let bootstrap = LoadPhases.bootstrap(group) { CommandHandler(run: run) }
        for _ in 0..<connections {
            channels.append(try await bootstrap.connect(host: host, port: port).get())
        }

        // Every connection greeted and signed in before the clock starts (AUTH is not timed).
        try await LoadPhases.awaitReady(
            connections, within: 30,
            settled: { run.ready.load(ordering: .relaxed) + run.refused.load(ordering: .relaxed) },
            failed: { run.closed.load(ordering: .relaxed) > 0 },
            problem: {
                "only \(run.ready.load(ordering: .relaxed)) of \(connections) connections signed in"
                    + (run.firstRefusal.withLock { $0 }.map { " (\($0))" } ?? "")
            })
        guard run.refused.load(ordering: .relaxed) == 0 else {
            throw UsageError(description: "\(run.refused.load(ordering: .relaxed)) connections were refused: "
                + (run.firstRefusal.withLock { $0 } ?? "?"))
        }

        let start = try await LoadPhases.run(channels, limitSeconds: durationLimit) {
            run.completed.load(ordering: .relaxed) < requests && run.closed.load(ordering: .relaxed) == 0
        }
        // Time is up (or all done): send nothing more; what is in flight is not counted.
        run.stopping.store(true, ordering: .relaxed)
        let finishedAt = run.finishedAt.load(ordering: .relaxed)
        let end = finishedAt != 0 ? finishedAt : nowNanos()
        let completed = min(run.completed.load(ordering: .relaxed), requests)
        let lostConnections = run.closed.load(ordering: .relaxed)

        try await LoadPhases.close(&channels, group)

        let histogram = run.histogram.withLock { $0 }
        let seconds = Double(end - start) / 1e9
        let rps = seconds > 0 ? Double(completed) / seconds : 0
        let errors = run.errors.load(ordering: .relaxed)
        let unexpected = run.unexpected.load(ordering: .relaxed)
        let rows = run.dataLines.load(ordering: .relaxed)
        print(
            "\(label) command conns=\(connections) requests=\(requests) completed=\(completed)"
                + " errors=\(errors) unexpected=\(unexpected) seconds=\(fixed(seconds)) rps=\(Int(rps.rounded()))"
                + histogram.summary()
                + " rows_per_response=\(fixed(completed > 0 ? Double(rows) / Double(completed) : 0, 2))"
                + " stopped_by=\(completed >= requests ? "requests" : "time")"
                + (lostConnections > 0 ? " lost_connections=\(lostConnections)" : "")
        )
        if let error = run.firstError.withLock({ $0 }) { standardError("dossier-bench: first error: \(error)") }
        // Reaching the time limit is a normal end; failures are ERR responses,
        // protocol violations and connections the server closed.
        return errors == 0 && unexpected == 0 && lostConnections == 0 && completed > 0
    }
}
