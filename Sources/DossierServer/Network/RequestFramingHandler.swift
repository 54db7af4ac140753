import DossierProtocol
import NIOCore
import Synchronization

/// Set by the session once `AUTH` succeeded, read by the framing handler's
/// login clock (they live on different executors).
final class SignInSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}

/// Turns bytes into `ConnectionEvent`s with the pure `LineFramer`, runs the
/// connection's clocks (`ConnectionDeadlines`: idle, request, login) on one
/// timer, and turns the quiesce notice into an event the session loop can see.
final class RequestFramingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    /// All events of one socket read travel together.
    typealias InboundOut = [ConnectionEvent]

    private var framer: LineFramer
    private let limits: ConnectionDeadlines.Limits
    private let signIn: SignInSignal
    private var deadlines: ConnectionDeadlines?
    private var timer: Scheduled<Void>?
    private var armedFor: NIODeadline?

    init(limits: ProtocolLimits, deadlines: ConnectionDeadlines.Limits, signIn: SignInSignal) {
        framer = LineFramer(limits: limits)
        self.limits = deadlines
        self.signIn = signIn
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startClocks(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startClocks(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopClocks()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopClocks()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let events = buffer.readableBytesView.withContiguousStorageIfAvailable { framer.feed($0) }
            ?? framer.feed(Array(buffer.readableBytesView))
        if var deadlines {
            let requests = events.count(where: { event in
                if case .line(let line) = event { return Self.isRequest(line) }
                return true
            })
            deadlines.received(requests: requests, endedLines: events.count, insideLine: framer.isInsideLine, at: .now())
            self.deadlines = deadlines
            // Reads only move clocks later, except a line that begins: arm for it.
            if let armedFor, deadlines.nextDeadline < armedFor { arm(context: context) }
        }
        if !events.isEmpty {
            context.fireChannelRead(wrapInboundOut(events.map(Self.connectionEvent)))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            deliver(.shutdown, context: context)
        case ChannelEvent.inputClosed:
            // `printf PING | nc`: a last line without a newline still counts.
            if let last = framer.finish() {
                deliver(Self.connectionEvent(last), context: context)
            }
            context.fireUserInboundEventTriggered(event)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    // MARK: Clocks

    private func startClocks(context: ChannelHandlerContext) {
        guard deadlines == nil else { return }
        deadlines = ConnectionDeadlines(limits: limits, connectedAt: .now())
        arm(context: context)
    }

    private func stopClocks() {
        timer?.cancel()
        timer = nil
        armedFor = nil
    }

    /// One timer per connection, for the earliest clock; re-checked when it fires.
    private func arm(context: ChannelHandlerContext) {
        guard let deadlines else { return }
        timer?.cancel()
        let deadline = deadlines.nextDeadline
        armedFor = deadline
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.clockFired(context: context)
        }
    }

    private func clockFired(context: ChannelHandlerContext) {
        guard var deadlines else { return }
        timer = nil
        armedFor = nil
        if signIn.isSet { deadlines.didSignIn() }
        self.deadlines = deadlines
        if let expiry = deadlines.expired(at: .now()) {
            // The session closes the connection; no further clock.
            deliver(.expired(expiry), context: context)
        } else {
            arm(context: context)
        }
    }

    /// A read of our own making; `NIOAsyncChannel` hands reads over on read-complete.
    private func deliver(_ event: ConnectionEvent, context: ChannelHandlerContext) {
        context.fireChannelRead(wrapInboundOut([event]))
        context.fireChannelReadComplete()
    }

    /// A line with more than white space (an ideographic space alone is not a
    /// request: the idle clock keeps running). A printable ASCII first byte
    /// decides at once, without walking characters (issue 17).
    private static func isRequest(_ line: String) -> Bool {
        if let first = line.utf8.first, first > 0x20, first < 0x7F { return true }
        return line.contains { !$0.isWhitespace }
    }

    private static func connectionEvent(_ event: LineFramer.Event) -> ConnectionEvent {
        switch event {
        case .line(let line): .line(line)
        case .tooLong: .tooLong
        case .invalid(let why): .invalid(why)
        }
    }
}
