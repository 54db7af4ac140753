import DossierProtocol
import NIOCore
import NIOExtras

/// Turns bytes into `ConnectionEvent`s with the pure `LineFramer`, and user
/// events (idle timeout, quiesce) into events the session loop can see.
final class RequestFramingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ConnectionEvent

    private var framer: LineFramer

    init(limits: ProtocolLimits) {
        framer = LineFramer(limits: limits)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let events = buffer.readableBytesView.withContiguousStorageIfAvailable { framer.feed($0) }
            ?? framer.feed(Array(buffer.readableBytesView))
        for event in events {
            context.fireChannelRead(wrapInboundOut(Self.connectionEvent(event)))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let idle as IdleStateHandler.IdleStateEvent where idle == .read:
            context.fireChannelRead(wrapInboundOut(.idle))
        case is ChannelShouldQuiesceEvent:
            context.fireChannelRead(wrapInboundOut(.shutdown))
        case ChannelEvent.inputClosed:
            // `printf PING | nc`: a last line without a newline still counts.
            if let last = framer.finish() {
                context.fireChannelRead(wrapInboundOut(Self.connectionEvent(last)))
            }
            context.fireUserInboundEventTriggered(event)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    private static func connectionEvent(_ event: LineFramer.Event) -> ConnectionEvent {
        switch event {
        case .line(let line): .line(line)
        case .tooLong: .tooLong
        case .invalid(let why): .invalid(why)
        }
    }
}
