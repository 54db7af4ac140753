/// One connection to `dossierd` as lines of text: plain TCP, or TLS when
/// settings are given. The console sends one request and waits for its
/// response, so everything here blocks.
public final class LineConnection {
    private let stream: any ByteStream
    /// Received bytes not yet returned as a line.
    private var buffer: [UInt8] = []
    private var atEnd = false

    private init(stream: any ByteStream) { self.stream = stream }

    /// Connects to `host`:`port`, with TLS when `tls` is given (the handshake
    /// and the certificate's check happen before the greeting is read).
    public static func open(host: String, port: Int, tls: TLSClientSettings?) throws(ConnectionError) -> LineConnection {
        let socket = try SocketStream.open(host: host, port: port)
        guard let tls else { return LineConnection(stream: socket) }
        return LineConnection(stream: try TLSStream(over: socket, host: host, port: port, settings: tls))
    }

    /// Sends `line` and its newline.
    public func send(_ line: String) throws(ConnectionError) {
        try stream.send(Array(line.utf8) + [UInt8(ascii: "\n")])
    }

    /// The next line without its `\n` (or `\r\n`); nil once the server has closed
    /// the connection and every line was returned. Invalid UTF-8 is shown with
    /// replacement characters rather than refused: it is only displayed.
    public func readLine() throws(ConnectionError) -> String? {
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
            try fill(wait: true)
        }
    }

    /// Whether something (a line, or the end) can be read without waiting — the
    /// server speaks unasked only to say it is closing the connection (idle
    /// timeout, shutdown). Under TLS, records that carry no data (session
    /// tickets) are consumed here and do not count.
    public func hasPendingInput() throws(ConnectionError) -> Bool {
        if !buffer.isEmpty || atEnd { return true }
        return try fill(wait: false)
    }

    /// Reads once; whether anything (bytes or the end) came.
    @discardableResult
    private func fill(wait: Bool) throws(ConnectionError) -> Bool {
        switch try stream.receive(wait: wait) {
        case .bytes(let bytes):
            buffer += bytes
            return true
        case .end:
            atEnd = true
            return true
        case .nothing:
            return false
        }
    }
}
