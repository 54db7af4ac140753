// Linux only, like the server: the socket calls below are Glibc's.
import Glibc

/// Why talking to the server failed, worded for the person at the console.
enum ConnectionError: Error, CustomStringConvertible {
    case resolve(host: String, reason: String)
    case connect(host: String, port: Int, reason: String)
    case closed
    case io(String)

    var description: String {
        switch self {
        case .resolve(let host, let reason): "cannot resolve \(host): \(reason)"
        case .connect(let host, let port, let reason): "cannot connect to \(host):\(port): \(reason)"
        case .closed: "connection closed by the server"
        case .io(let reason): "connection error: \(reason)"
        }
    }
}

/// One TCP connection to `dossierd`, with plain blocking POSIX sockets: the
/// console sends one request and waits for its response, so nothing here needs
/// to be asynchronous.
final class Connection {
    private let socket: Int32
    /// Received bytes not yet returned as a line.
    private var buffer: [UInt8] = []
    private var atEnd = false

    private init(socket: Int32) { self.socket = socket }

    deinit { close(socket) }

    /// Connects to the first address of `host` that accepts within `timeout` seconds.
    static func open(host: String, port: Int, timeout: Int32 = 10) throws(ConnectionError) -> Connection {
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
            return Connection(socket: fd)
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

    /// Sends `line` and its newline.
    func send(_ line: String) throws(ConnectionError) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
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

    /// The next line without its `\n` (or `\r\n`); nil once the server has closed
    /// the connection and every line was returned. Invalid UTF-8 is shown with
    /// replacement characters rather than refused: it is only displayed.
    func readLine() throws(ConnectionError) -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = buffer[..<newline]
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                let text = String(decoding: line, as: UTF8.self)
                buffer.removeFirst(newline + 1)
                return text
            }
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            try fill()
        }
    }

    /// Whether something (a line, or the end) can be read without waiting — the
    /// server speaks unasked only to say it is closing the connection (idle
    /// timeout, shutdown).
    func hasPendingInput() -> Bool {
        if !buffer.isEmpty || atEnd { return true }
        var pollfd = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&pollfd, 1, 0) > 0
    }

    private func fill() throws(ConnectionError) {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[..<count])
                return
            }
            if count == 0 {
                atEnd = true
                return
            }
            if errno == EINTR { continue }
            if errno == ECONNRESET {
                atEnd = true
                return
            }
            throw .io(Self.errorText())
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
