import DossierProtocol
import Logging
import NIOCore

/// Serves one client: greeting, then one request at a time in arrival order
/// (pipelined requests are answered in order), until QUIT, idle timeout,
/// shutdown, or the client leaving. Reading stops while a command runs, so a
/// client that sends without reading cannot make the server buffer without
/// bound (`NIOAsyncChannel`'s back pressure).
///
/// The answers to the requests of one socket read leave in one write, except
/// that whatever is ready goes out before a command waits for the database,
/// so no answer is held back behind a slower one.
struct ConnectionSession {
    let id: Int
    let channel: NIOAsyncChannel<[ConnectionEvent], ByteBuffer>
    let executor: CommandExecutor
    let greeting: String
    let isShuttingDown: @Sendable () -> Bool
    let logger: Logger

    func run() async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                var session = SessionState(connectionID: id)
                var pending = channel.channel.allocator.buffer(capacity: 512)
                append(.ok("DOSSIER/1 \(greeting)"), .text, to: &pending)
                try await outbound.write(pending)
                for try await batch in inbound {
                    pending.clear()
                    var close = false
                    for event in batch where !close {
                        switch event {
                        case .line(let line):
                            if isShuttingDown() {
                                append(.error(.shutdown, "server is stopping"), session.format, to: &pending)
                                close = true
                                break
                            }
                            switch executor.prepare(line: line, session: &session) {
                            case .nothing:
                                break
                            case .answered(let outcome):
                                append(outcome.response, session.format, to: &pending)
                                close = outcome.close
                            case .needsDatabase(let command):
                                if pending.readableBytes > 0 {
                                    try await outbound.write(pending)
                                    pending.clear()
                                }
                                let outcome = await executor.execute(command, session: &session)
                                append(outcome.response, session.format, to: &pending)
                                close = outcome.close
                            }
                        case .tooLong:
                            append(.error(.lineTooLong), session.format, to: &pending)
                        case .invalid(let why):
                            append(.error(why.error), session.format, to: &pending)
                        case .idle:
                            append(.error(.limit, "idle timeout"), session.format, to: &pending)
                            close = true
                        case .shutdown:
                            append(.error(.shutdown, "server is stopping"), session.format, to: &pending)
                            close = true
                        }
                    }
                    if pending.readableBytes > 0 { try await outbound.write(pending) }
                    if close { return }
                }
            }
        } catch {
            // One connection's failure never ends the server.
            logger.debug("connection ended", metadata: ["conn": "\(id)", "error": "\(error)"])
        }
    }

    private func append(_ response: Response, _ format: OutputFormat, to buffer: inout ByteBuffer) {
        let text = ResponseEncoder(format: format).encode(response)
        buffer.writeString(text)
        if !text.hasSuffix("\n") { buffer.writeInteger(UInt8(ascii: "\n")) }
    }
}
