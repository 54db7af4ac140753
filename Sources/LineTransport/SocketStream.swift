// Linux only, like the server: the socket calls below are Glibc's.
import Glibc

/// One TCP connection, with plain blocking POSIX sockets: the console sends one
/// request and waits for its response, so nothing here needs to be asynchronous.
public final class SocketStream: ByteStream {
    private let socket: Int32
    /// The server's numeric address (`192.0.2.7`, `::1`), for matching a
    /// certificate's IP address entries.
    public let peerAddress: String

    private init(socket: Int32, peerAddress: String) {
        self.socket = socket
        self.peerAddress = peerAddress
    }

    deinit { close(socket) }

    /// Connects to the first address of `host` that accepts within `timeout` seconds.
    public static func open(host: String, port: Int, timeout: Int32 = 10) throws(ConnectionError) -> SocketStream {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .resolve(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { lastError = errorText(); continue }
            if let error = connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen, timeout: timeout) {
                lastError = error
                close(fd)
                continue
            }
            return SocketStream(socket: fd, peerAddress: numeric(info.pointee.ai_addr, info.pointee.ai_addrlen))
        }
        throw .connect(host: host, port: port, reason: lastError)
    }

    /// A non-blocking connect bounded by `timeout`, so an unreachable host fails in
    /// seconds instead of the kernel's minutes; nil on success.
    private static func connect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t,
                                timeout: Int32) -> String? {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(fd, address, length) != 0 {
            guard errno == EINPROGRESS else { return errorText() }
            var pollfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pollfd, 1, timeout * 1000)
            if ready == 0 { return "timed out" }
            if ready < 0 { return errorText() }
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
            if error != 0 { return String(cString: strerror(error)) }
        }
        _ = fcntl(fd, F_SETFL, flags)
        return nil
    }

    private static func numeric(_ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { return "" }
        return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func send(_ bytes: [UInt8]) throws(ConnectionError) {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a server that went away is an error here, not SIGPIPE.
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE || errno == ECONNRESET { throw .closed }
                throw .io(Self.errorText())
            }
            offset += sent
        }
    }

    public func receive(wait: Bool) throws(ConnectionError) -> Received {
        if !wait {
            var pollfd = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&pollfd, 1, 0) > 0 else { return .nothing }
        }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count > 0 { return .bytes(Array(chunk[..<count])) }
            if count == 0 { return .end }
            if errno == EINTR { continue }
            if errno == ECONNRESET { return .end }
            throw .io(Self.errorText())
        }
    }

    /// Makes sends fail instead of waiting when the server does not read (for
    /// tests of the server's back pressure).
    public func setNonBlocking() {
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
