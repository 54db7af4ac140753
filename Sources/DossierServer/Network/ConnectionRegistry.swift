import NIOCore
import Synchronization

/// The open client channels, so that graceful shutdown can tell each one.
/// (`ServerQuiescingHelper` cannot see children of a server bound through
/// `NIOAsyncChannel`: the async accept handler consumes them first.)
final class ConnectionRegistry: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func register(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            _ = channels.withLock { $0.removeValue(forKey: key) }
        }
    }

    /// Sends `ChannelShouldQuiesceEvent` through every open connection's pipeline.
    func quiesceAll() {
        for channel in channels.withLock({ Array($0.values) }) {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }
}
