import DossierProtocol
import Logging
import NIOCore

/// Serves one client: greeting, then one request at a time in arrival order
/// (pipelined requests are answered in order), until QUIT, a connection clock
/// running out, shutdown, or the client leaving.
///
/// Memory per connection is bounded whatever the client does: answers are
/// written as they are produced (at most `flushThreshold` bytes are held
/// back), a write waits while the socket's send buffer is full (the channel's
/// write-buffer water marks), and while it waits nothing more is read
/// (`NIOAsyncChannel`'s back pressure keeps at most a couple of reads queued).
/// So a client that sends without reading stalls itself, not the server.
struct ConnectionSession {
    let id: Int
    let channel: NIOAsyncChannel<[ConnectionEvent], ByteBuffer>
    let executor: CommandExecutor
    let greeting: String
    let signIn: SignInSignal
    let deadlines: ConnectionDeadlines.Limits
    let isShuttingDown: @Sendable () -> Bool
    let logger: Logger
    /// Plain TCP from a peer that is not loopback (`TransportSecurity`).
    var refusesPlainAuth = false

    /// Answers held back to leave together, at most (bytes).
    static let flushThreshold = 8 * 1024

    func run() async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                var session = SessionState(connectionID: id)
                session.refusesPlainAuth = refusesPlainAuth
                var pending = channel.channel.allocator.buffer(capacity: 512)
                append(.ok("DOSSIER/1 \(greeting)"), session, to: &pending)
                try await outbound.write(pending)
                pending.clear()
                for try await batch in inbound {
                    var close = false
                    for event in batch where !close {
                        let (response, closeAfter) = await answer(event, session: &session, flushing: &pending, to: outbound)
                        close = closeAfter
                        if let response { append(response, session, to: &pending) }
                        if pending.readableBytes >= Self.flushThreshold {
                            try await outbound.write(pending)
                            pending.clear()
                        }
                    }
                    if pending.readableBytes > 0 {
                        try await outbound.write(pending)
                        pending.clear()
                    }
                    if close { return }
                }
            }
        } catch {
            // One connection's failure never ends the server.
            logger.debug("connection ended", metadata: ["conn": "\(id)", "error": "\(error)"])
        }
    }

    /// The answer to one event (nil: none) and whether to close afterwards.
    /// What is pending goes out before a command waits for the database, so no
    /// answer is held back behind a slower one.
    private func answer(
        _ event: ConnectionEvent, session: inout SessionState, flushing pending: inout ByteBuffer,
        to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async -> (Response?, close: Bool) {
        switch event {
        case .line(let line):
            if isShuttingDown() { return (.error(.shutdown, "server is stopping"), true) }
            switch executor.prepare(line: line, session: &session) {
            case .nothing:
                return (nil, false)
            case .answered(let outcome):
                return (outcome.response, outcome.close)
            case .needsDatabase(let command):
                if pending.readableBytes > 0 {
                    do {
                        try await outbound.write(pending)
                    } catch {
                        return (nil, true)  // the client is gone
                    }
                    pending.clear()
                }
                let outcome = await executor.execute(command, session: &session)
                if session.user != nil { signIn.set() }
                return (outcome.response, outcome.close)
            }
        case .tooLong:
            return (.error(.lineTooLong), false)
        case .invalid(let why):
            return (.error(why.error), false)
        case .expired(.idle):
            return (.error(.limit, "idle timeout"), true)
        case .expired(.request):
            return (.error(.limit, "request not completed within \(Self.seconds(deadlines.request)) s"), true)
        case .expired(.login):
            // AUTH may have succeeded while the clock's event was on its way.
            if session.user != nil { return (nil, false) }
            return (.error(.limit, "not logged in within \(Self.seconds(deadlines.login)) s"), true)
        case .shutdown:
            return (.error(.shutdown, "server is stopping"), true)
        }
    }

    /// PING's answer, encoded once per format by the encoder itself (issue 17).
    private static let pong = (text: ResponseEncoder(format: .text).encode(.pong),
                               json: ResponseEncoder(format: .json).encode(.pong))

    /// Encodes in the session's format, messages in its language (`LANG`).
    private func append(_ response: Response, _ session: SessionState, to buffer: inout ByteBuffer) {
        if response == .pong {
            buffer.writeString(session.format == .json ? Self.pong.json : Self.pong.text)
            return
        }
        var bytes: [UInt8] = []
        ResponseEncoder(format: session.format).encode(response.localized(to: executor.language(of: session)), into: &bytes)
        buffer.writeBytes(bytes)
        if bytes.last != UInt8(ascii: "\n") { buffer.writeInteger(UInt8(ascii: "\n")) }
    }

    private static func seconds(_ amount: TimeAmount) -> Int64 { amount.nanoseconds / 1_000_000_000 }
}
