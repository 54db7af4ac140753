import Foundation
import LineTransport

/// A line client that speaks TLS, as the console does (`LineTransport`), for
/// tests of the server's TLS listener. Its blocking I/O runs on one thread of
/// its own: never on Swift's cooperative pool, which an in-process server needs
/// for itself, and always the same thread, as NIO's `EmbeddedChannel` (under
/// the TLS stream) requires.
public final class TLSLineClient: @unchecked Sendable {
    private let thread = OwnThread()
    /// Touched on `thread` only.
    private var connection: LineConnection?

    /// Connects and verifies the certificate against `caFile` for `host`; the
    /// greeting is the first line to read.
    public init(host: String = "127.0.0.1", port: Int, caFile: String) async throws {
        try await run { client in
            client.connection = try LineConnection.open(host: host, port: port, tls: try TLSClientSettings(caFile: caFile))
        }
    }

    deinit { thread.finish {} }

    private func run<T: Sendable>(_ body: @escaping @Sendable (TLSLineClient) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            thread.async { continuation.resume(with: Result { try body(self) }) }
        }
    }

    private func open() throws -> LineConnection {
        guard let connection else { throw LineClient.Failure(description: "not connected") }
        return connection
    }

    public func send(_ line: String) async throws { try await run { try $0.open().send(line) } }
    public func readLine() async throws -> String? { try await run { try $0.open().readLine() } }

    /// Reads a whole response: data lines up to and including the final line.
    public func readResponse() async throws -> [String] {
        try await run { client in
            var lines: [String] = []
            while let line = try client.open().readLine() {
                lines.append(line)
                if !line.hasPrefix("* ") { return lines }
            }
            throw LineClient.Failure(description: "connection closed mid-response after \(lines)")
        }
    }

    public func request(_ line: String) async throws -> [String] {
        try await send(line)
        return try await readResponse()
    }
}

/// One thread that runs the closures given to it in order, until `finish`.
public final class OwnThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [@Sendable () -> Void] = []
    private var finished = false

    public init() {
        let thread = Thread { [self] in loop() }
        thread.start()
    }

    public func async(_ body: @escaping @Sendable () -> Void) {
        condition.lock()
        work.append(body)
        condition.signal()
        condition.unlock()
    }

    /// Runs `last` on the thread, then lets the thread end.
    public func finish(_ last: @escaping @Sendable () -> Void) {
        condition.lock()
        work.append(last)
        finished = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while work.isEmpty && !finished { condition.wait() }
            if work.isEmpty && finished {
                condition.unlock()
                return
            }
            let next = work.removeFirst()
            condition.unlock()
            next()
        }
    }
}
