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

/// What every worker of one `loan-cycle` run shares.
final class LoanCycleRun: Sendable {
    let total: Int
    let greetingPrefix: [UInt8]
    let issued = Atomic<Int>(0)
    let completed = Atomic<Int>(0)
    /// Commands sent in completed cycles (5 per cycle).
    let commands = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    let ready = Atomic<Int>(0)
    let refused = Atomic<Int>(0)
    let closed = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    let finishedAt = Atomic<UInt64>(0)
    let histogram = Mutex(LatencyHistogram())
    let firstError = Mutex<String?>(nil)

    init(total: Int, greeting: String) {
        self.total = total
        self.greetingPrefix = Array(greeting.utf8)
    }

    func claim() -> Bool {
        guard !stopping.load(ordering: .relaxed) else { return false }
        return issued.wrappingAdd(1, ordering: .relaxed).oldValue < total
    }

    func note(error: String) {
        errors.wrappingAdd(1, ordering: .relaxed)
        firstError.withLock { if $0 == nil { $0 = error } }
    }
}

/// The three roles of a cycle, one connection each.
enum LoanRole: Int { case borrower = 0, manager = 1, archivist = 2 }

/// One worker: three connections (borrower, manager, archivist) on one event
/// loop, driving one loan cycle at a time on its own dossier:
///   borrower  LOAN REQUEST <ref> purpose=bench     -> OK L<n> pending
///   manager   APPROVAL LIST kind=loan              -> finds the row target=L<n>, id=A<m>
///   manager   APPROVE A<m>                         -> OK A<m> approved
///   archivist LOAN CHECKOUT L<n>                   -> OK L<n> due=…
///   archivist LOAN RETURN L<n>                     -> OK L<n>
/// The approval id is in no response of LOAN REQUEST, so the manager reads it
/// from the pending list, as a manager's client would (counted in the cycle).
/// Everything runs on `loop` (all three channels are on it): unchecked Sendable.
final class LoanWorker: @unchecked Sendable {
    let run: LoanCycleRun
    let loop: any EventLoop
    let ref: String
    var contexts: [ChannelHandlerContext?] = [nil, nil, nil]
    var step = 0
    var loan = ""      // "L<n>"
    var approval = ""  // "A<m>"
    var rows: [String] = []
    var cycleStart: UInt64 = 0
    var started = false
    var authed = 0
    var failed = false
    var histogram = LatencyHistogram()

    init(run: LoanCycleRun, loop: any EventLoop, ref: String) {
        self.run = run
        self.loop = loop
        self.ref = ref
    }

    func signedIn() {
        authed += 1
        run.ready.wrappingAdd(1, ordering: .relaxed)
        if authed == 3, started { next() }
    }

    func start() {
        started = true
        if authed == 3 { next() }
    }

    private func send(_ role: LoanRole, _ line: String) {
        guard let context = contexts[role.rawValue] else { return }
        context.writeAndFlush(NIOAny(ByteBuffer(string: line + "\n")), promise: nil)
    }

    private func next() {
        guard !failed, run.claim() else { return }
        step = 0
        cycleStart = nowNanos()
        send(.borrower, "LOAN REQUEST \(ref) purpose=bench")
    }

    private func fail(_ what: String) {
        failed = true
        run.note(error: "\(ref) step \(step): \(what)")
    }

    /// A data line `* …` of the current response.
    func row(_ line: String) { if step == 1 { rows.append(line) } }

    /// The final line of a response (OK … / ERR …) on `role`'s connection.
    func final(_ role: LoanRole, _ line: String) {
        guard line.hasPrefix("OK") else { return fail(line) }
        switch step {
        case 0:
            // OK L<n> pending
            let parts = line.split(separator: " ")
            guard parts.count >= 2, parts[1].hasPrefix("L") else { return fail("unexpected: \(line)") }
            loan = String(parts[1])
            step = 1
            rows.removeAll(keepingCapacity: true)
            send(.manager, "APPROVAL LIST kind=loan")
        case 1:
            let needle = " target=\(loan)"
            approval = ""
            for row in rows {
                guard let range = row.firstRange(of: needle) else { continue }
                let after = row[range.upperBound...]
                guard after.isEmpty || after.first == " " else { continue }
                for field in row.split(separator: " ") where field.hasPrefix("id=") {
                    approval = String(field.dropFirst(3))
                }
                break
            }
            guard !approval.isEmpty else { return fail("no pending approval for \(loan) among \(rows.count) rows") }
            step = 2
            send(.manager, "APPROVE \(approval)")
        case 2:
            step = 3
            send(.archivist, "LOAN CHECKOUT \(loan)")
        case 3:
            step = 4
            send(.archivist, "LOAN RETURN \(loan)")
        default:
            let now = nowNanos()
            histogram.record(now &- cycleStart)
            run.commands.wrappingAdd(5, ordering: .relaxed)
            let done = run.completed.wrappingAdd(1, ordering: .relaxed).newValue
            if done == run.total { run.finishedAt.store(now, ordering: .relaxed) }
            next()
        }
    }

    func merge() {
        let mine = histogram
        run.histogram.withLock { $0.merge(mine) }
    }
}

/// One connection of a worker: greeting, AUTH (not timed), then hands each
/// response line to the worker.
final class LoanRoleHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let worker: LoanWorker
    private let role: LoanRole
    private let auth: ByteBuffer
    private var lines = LineSplitter()
    private var state = 0  // 0 greeting, 1 authenticating, 2 running

    init(worker: LoanWorker, role: LoanRole, auth: String) {
        self.worker = worker
        self.role = role
        self.auth = ByteBuffer(string: auth + "\n")
    }

    func handlerAdded(context: ChannelHandlerContext) {
        worker.contexts[role.rawValue] = context
    }

    func channelInactive(context: ChannelHandlerContext) {
        worker.contexts[role.rawValue] = nil
        worker.run.closed.wrappingAdd(1, ordering: .relaxed)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lines.forEachLine(in: unwrapInboundIn(data)) { bytes in
            let line = String(decoding: bytes, as: UTF8.self)
            switch state {
            case 0:
                if bytes.starts(with: worker.run.greetingPrefix) {
                    state = 1
                    context.writeAndFlush(wrapOutboundOut(auth), promise: nil)
                } else {
                    refuse("greeting: \(line)", context: context)
                }
            case 1:
                if line.hasPrefix("* ") { return }
                if line.hasPrefix("OK") {
                    state = 2
                    worker.signedIn()
                } else {
                    refuse("AUTH: \(line)", context: context)
                }
            default:
                if line.hasPrefix("* ") { worker.row(line) } else { worker.final(role, line) }
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is StartEvent else { return context.fireUserInboundEventTriggered(event) }
        if role == .borrower { worker.start() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        worker.run.note(error: "\(error)")
        context.close(promise: nil)
    }

    private func refuse(_ what: String, context: ChannelHandlerContext) {
        worker.run.refused.wrappingAdd(1, ordering: .relaxed)
        worker.run.firstError.withLock { if $0 == nil { $0 = what } }
        context.close(promise: nil)
    }
}

struct LoanCycleCommand {
    static let options: Set<String> = [
        "host", "port", "connections", "cycles", "duration-limit", "threads", "label",
        "borrower", "manager", "archivist", "password", "refs-file", "greeting",
    ]

    let host: String
    let port: Int
    let workers: Int
    let cycles: Int
    let durationLimit: Int
    let threads: Int
    let label: String
    let logins: [String]
    let password: String
    let refs: [String]
    let greeting: String

    init(_ options: Options) throws {
        host = options.string("host", "127.0.0.1")
        guard options.has("port") else { throw UsageError(description: "--port is required") }
        port = try options.int("port", 0)
        workers = try options.int("connections", 8)
        cycles = try options.int("cycles", 1_000)
        durationLimit = try options.int("duration-limit", 60)
        threads = try options.int("threads", 1)
        label = options.string("label", "dossierd")
        for key in ["borrower", "manager", "archivist", "password", "refs-file"] where !options.has(key) {
            throw UsageError(description: "--\(key) is required")
        }
        logins = [options.string("borrower", ""), options.string("manager", ""), options.string("archivist", "")]
        password = options.string("password", "")
        greeting = options.string("greeting", "OK DOSSIER/1")
        refs = try CommandLoadCommand.readLines(options.string("refs-file", "")).filter { !$0.isEmpty }
        guard refs.count >= workers else {
            throw UsageError(description: "--refs-file has \(refs.count) dossiers; each of the \(workers) workers needs its own")
        }
    }

    func run() async throws -> Bool {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let run = LoanCycleRun(total: cycles, greeting: greeting)
        var channels: [any Channel] = []
        var all: [LoanWorker] = []
        defer { for channel in channels { channel.close(promise: nil) } }
        for index in 0..<workers {
            let loop = group.next()
            let worker = LoanWorker(run: run, loop: loop, ref: refs[index])
            all.append(worker)
            for role in [LoanRole.borrower, .manager, .archivist] {
                let auth = "AUTH \(CommandRun.quoted(logins[role.rawValue])) \(CommandRun.quoted(password))"
                let bootstrap = LoadPhases.bootstrap(loop) { LoanRoleHandler(worker: worker, role: role, auth: auth) }
                channels.append(try await bootstrap.connect(host: host, port: port).get())
            }
        }
        let needed = workers * 3
        try await LoadPhases.awaitReady(
            needed, within: 60,
            settled: { run.ready.load(ordering: .relaxed) },
            failed: { run.closed.load(ordering: .relaxed) > 0 || run.refused.load(ordering: .relaxed) > 0 },
            problem: {
                "only \(run.ready.load(ordering: .relaxed)) of \(needed) connections signed in"
                    + (run.firstError.withLock { $0 }.map { " (\($0))" } ?? "")
            })

        let start = try await LoadPhases.run(channels, limitSeconds: durationLimit) {
            run.completed.load(ordering: .relaxed) < cycles && run.closed.load(ordering: .relaxed) == 0
                && run.errors.load(ordering: .relaxed) == 0
        }
        run.stopping.store(true, ordering: .relaxed)
        let finishedAt = run.finishedAt.load(ordering: .relaxed)
        let end = finishedAt != 0 ? finishedAt : nowNanos()
        let completed = min(run.completed.load(ordering: .relaxed), cycles)
        let lost = run.closed.load(ordering: .relaxed)
        // Let cycles in flight finish (not counted) so that no dossier is left
        // mid-cycle for the next run.
        let drainDeadline = nowNanos() + 10_000_000_000
        while run.completed.load(ordering: .relaxed) < min(run.issued.load(ordering: .relaxed), cycles),
              run.errors.load(ordering: .relaxed) == 0, run.closed.load(ordering: .relaxed) == 0,
              nowNanos() < drainDeadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        for worker in all { try await worker.loop.submit { worker.merge() }.get() }

        try await LoadPhases.close(&channels, group)

        let histogram = run.histogram.withLock { $0 }
        let seconds = Double(end - start) / 1e9
        let rate = seconds > 0 ? Double(completed) / seconds : 0
        let errors = run.errors.load(ordering: .relaxed)
        print(
            "\(label) loan-cycle workers=\(workers) connections=\(workers * 3) cycles=\(cycles) completed=\(completed)"
                + " errors=\(errors) seconds=\(fixed(seconds)) cps=\(fixed(rate, 1))"
                + " commands_per_s=\(Int((rate * 5).rounded()))"
                + histogram.summary(p999: false)
                + " stopped_by=\(completed >= cycles ? "cycles" : "time")"
                + (lost > 0 ? " lost_connections=\(lost)" : "")
        )
        if let error = run.firstError.withLock({ $0 }) { standardError("dossier-bench: first error: \(error)") }
        return errors == 0 && lost == 0 && completed > 0
    }
}
