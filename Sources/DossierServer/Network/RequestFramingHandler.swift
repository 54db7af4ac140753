import DossierProtocol
import NIOCore


/// Turns bytes into `ConnectionEvent`s with the pure `LineFramer`, and user
/// events (idle timeout, quiesce) into events the session loop can see.
final class RequestFramingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    /// All events of one socket read travel together, so their answers can
    /// leave in one write.
    typealias InboundOut = [ConnectionEvent]

    private var framer: LineFramer

    init(limits: ProtocolLimits) {
        framer = LineFramer(limits: limits)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let events = buffer.readableBytesView.withContiguousStorageIfAvailable { framer.feed($0) }
            ?? framer.feed(Array(buffer.readableBytesView))
        if !events.isEmpty {
            context.fireChannelRead(wrapInboundOut(events.map(Self.connectionEvent)))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let idle as IdleStateHandler.IdleStateEvent where idle == .read:
            deliver(.idle, context: context)
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

    /// A read of our own making; `NIOAsyncChannel` hands reads over on read-complete.
    private func deliver(_ event: ConnectionEvent, context: ChannelHandlerContext) {
        context.fireChannelRead(wrapInboundOut([event]))
        context.fireChannelReadComplete()
    }

    private static func connectionEvent(_ event: LineFramer.Event) -> ConnectionEvent {
        switch event {
        case .line(let line): .line(line)
        case .tooLong: .tooLong
        case .invalid(let why): .invalid(why)
        }
    }
}
