import DossierProtocol
import Logging
import NIOCore

/// Serves one client: greeting, then one request at a time in arrival order
/// (pipelined requests are answered in order), until QUIT, idle timeout,
/// shutdown, or the client leaving. Reading stops while a command runs, so a
/// client that sends without reading cannot make the server buffer without
/// bound (`NIOAsyncChannel`'s back pressure).
struct ConnectionSession {
    let id: Int
    let channel: NIOAsyncChannel<ConnectionEvent, ByteBuffer>
    let executor: CommandExecutor
    let greeting: String
    let isShuttingDown: @Sendable () -> Bool
    let logger: Logger

    func run() async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                var session = SessionState(connectionID: id)
                try await outbound.write(encode(.ok("DOSSIER/1 \(greeting)"), .text))
                for try await event in inbound {
                    let close: Bool
                    switch event {
                    case .line(let line):
                        if isShuttingDown() {
                            try await outbound.write(encode(.error(.shutdown, "server is stopping"), session.format))
                            return
                        }
                        guard let outcome = await executor.handle(line: line, session: &session) else { continue }
                        try await outbound.write(encode(outcome.response, session.format))
                        close = outcome.close
                    case .tooLong:
                        try await outbound.write(encode(.error(.lineTooLong), session.format))
                        close = false
                    case .invalid(let why):
                        try await outbound.write(encode(.error(why.error), session.format))
                        close = false
                    case .idle:
                        try await outbound.write(encode(.error(.limit, "idle timeout"), session.format))
                        close = true
                    case .shutdown:
                        try await outbound.write(encode(.error(.shutdown, "server is stopping"), session.format))
                        close = true
                    }
                    if close { return }
                }
            }
        } catch {
            // One connection's failure never ends the server.
            logger.debug("connection ended", metadata: ["conn": "\(id)", "error": "\(error)"])
        }
    }

    private func encode(_ response: Response, _ format: OutputFormat) -> ByteBuffer {
        var text = ResponseEncoder(format: format).encode(response)
        if !text.hasSuffix("\n") { text += "\n" }
        return ByteBuffer(string: text)
    }
}
