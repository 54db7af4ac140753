import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP client speaking lines, as `nc` would, for tests of the server over
/// real sockets. Its blocking I/O runs on a dispatch queue of its own, never on
/// Swift's cooperative pool, which an in-process server needs for itself.
public final class LineClient: @unchecked Sendable {
    private let socket: BlockingLineSocket
    private let queue = DispatchQueue(label: "line-client")

    public typealias Failure = BlockingLineSocket.Failure

    public init(host: String = "127.0.0.1", port: Int, timeoutSeconds: Int = 30) async throws {
        socket = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try BlockingLineSocket(host: host, port: port, timeoutSeconds: timeoutSeconds) })
            }
        }
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (BlockingLineSocket) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [socket] in continuation.resume(with: Result { try body(socket) }) }
        }
    }

    public func send(bytes: [UInt8]) async throws { try await run { try $0.send(bytes: bytes) } }
    public func send(_ line: String) async throws { try await run { try $0.send(line) } }
    public func readLine() async throws -> String? { try await run { try $0.readLine() } }
    public func readResponse() async throws -> [String] { try await run { try $0.readResponse() } }
    public func request(_ line: String) async throws -> [String] { try await run { try $0.request(line) } }
    public func shutdownWrite() async { _ = try? await run { $0.shutdownWrite() } }
    public func setNonBlocking() async { _ = try? await run { $0.setNonBlocking() } }
    public func tryWrite(_ bytes: [UInt8]) async -> Int { (try? await run { $0.tryWrite(bytes) }) ?? -1 }

    /// A TCP port nobody listens on right now.
    public static func freePort() throws -> Int { try BlockingLineSocket.freePort() }
}

/// The blocking socket under `LineClient`; used by one thread at a time.
public final class BlockingLineSocket: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// -1 once closed: a descriptor is closed exactly once, or a number the
    /// kernel already reused (an NIO or libpq socket) would be closed instead.
    private var fd: Int32
    private var buffer: [UInt8] = []

    public init(host: String = "127.0.0.1", port: Int, timeoutSeconds: Int = 30) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let failure = errno
            close(fd)
            fd = -1
            throw Failure(description: "connect to \(host):\(port) failed: errno \(failure)")
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Sends raw bytes as they are.
    public func send(bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw Failure(description: "write failed: errno \(errno)") }
            offset += written
        }
    }

    /// Sends one request line (a `\n` is added).
    public func send(_ line: String) throws {
        try send(bytes: Array((line + "\n").utf8))
    }

    /// The next line from the server, without its newline; nil at end of stream.
    public func readLine() throws -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return buffer.isEmpty ? nil : String(decoding: buffer.splice(), as: UTF8.self) }
            guard count > 0 else { throw Failure(description: "read failed or timed out: errno \(errno)") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// Reads a whole response: data lines up to and including the final `OK`/`ERR` line.
    public func readResponse() throws -> [String] {
        var lines: [String] = []
        while let line = try readLine() {
            lines.append(line)
            if !line.hasPrefix("* ") { return lines }
        }
        throw Failure(description: "connection closed mid-response after \(lines)")
    }

    /// Sends a request and returns its response lines.
    public func request(_ line: String) throws -> [String] {
        try send(line)
        return try readResponse()
    }

    /// Makes writes fail with EAGAIN instead of blocking (for back-pressure tests).
    public func setNonBlocking() {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// One write(2); the bytes written, or -1 when it would block.
    public func tryWrite(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Half-closes: the server sees end of input.
    public func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// A TCP port nobody listens on right now, below the kernel's ephemeral
    /// range (32768 and up on Linux). A port the kernel picked for a bind to
    /// port 0 is an ephemeral one, which it may hand to an outgoing
    /// connection (one of the suite's many clients) before the server under
    /// test binds it: on a loaded machine tests failed with EADDRINUSE.
    public static func freePort() throws -> Int {
        for _ in 0..<500 {
            let candidate = Int.random(in: 10_000..<32_768)
            if canBind(candidate) { return candidate }
        }
        throw Failure(description: "could not find a free port")
    }

    /// Whether a listener could bind the port on every address now.
    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = 0  // INADDR_ANY: every address
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

private extension Array where Element == UInt8 {
    mutating func splice() -> [UInt8] {
        defer { removeAll() }
        return self
    }
}
