/// Splits a byte stream into request lines — a pure state machine the NIO handler feeds
/// with whatever chunks arrive (PROTOCOL.md, "Framing").
///
/// - A line ends at `\n`; one `\r` right before it is dropped (`\r\n`).
/// - Lines that are empty or only spaces/tabs produce nothing (no response).
/// - A line whose content exceeds `maximumLineLength` bytes produces `.tooLong` once,
///   as soon as that is certain; the rest up to the next `\n` is discarded and
///   framing continues normally after it. Memory stays bounded by the limit.
/// - A complete line holding a NUL byte or invalid UTF-8 produces `.invalid`; the
///   connection stays usable.
public struct LineFramer: Sendable {
    /// What a fed chunk produced, in stream order.
    public enum Event: Hashable, Sendable {
        /// A complete, valid, non-blank line without its terminator.
        case line(String)
        /// The current line is over the limit (answer `ERR LIMIT line too long`).
        case tooLong
        /// A complete line that is not acceptable text (answer `ERR SYNTAX`).
        case invalid(InvalidLine)
    }

    /// Why a line was refused before tokenizing.
    public enum InvalidLine: Hashable, Sendable, CustomStringConvertible {
        case invalidUTF8
        case nulByte

        public var description: String {
            switch self {
            case .invalidUTF8: "invalid UTF-8"
            case .nulByte: "NUL byte in request"
            }
        }

        /// The `ERR SYNTAX` answer for this event.
        public var error: ProtocolError { .syntax(description) }
    }

    public let limits: ProtocolLimits
    private var buffer: [UInt8] = []
    /// Inside an over-long line that has already been reported.
    private var discarding = false

    public init(limits: ProtocolLimits = .default) { self.limits = limits }

    /// Bytes of an incomplete line held back (at most the limit plus one).
    public var bufferedByteCount: Int { buffer.count }

    /// Whether a line has begun and not ended (bytes held back, or the rest of
    /// an over-long line still being discarded): the request timeout runs.
    public var isInsideLine: Bool { !buffer.isEmpty || discarding }

    /// Feeds the next chunk; returns the events it completes, in order.
    public mutating func feed<Bytes: Collection>(_ bytes: Bytes) -> [Event] where Bytes.Element == UInt8 {
        var events: [Event] = []
        let handled: Void? = bytes.withContiguousStorageIfAvailable { feed($0, into: &events) }
        if handled == nil {
            Array(bytes).withUnsafeBufferPointer { feed($0, into: &events) }
        }
        return events
    }

    /// Ends the stream: a last line without `\n` still counts (`printf PING | nc`).
    public mutating func finish() -> Event? {
        defer {
            buffer.removeAll()
            discarding = false
        }
        guard !discarding, !buffer.isEmpty else { return nil }
        return buffer.withUnsafeBufferPointer { Self.completeLine($0) }
    }

    private mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, into events: inout [Event]) {
        let maximum = limits.maximumLineLength
        var start = 0
        while start < chunk.count {
            if let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if discarding {
                    discarding = false
                } else {
                    let segment = chunk[start..<newline]
                    let carriageReturn = (segment.last ?? buffer.last) == UInt8(ascii: "\r") ? 1 : 0
                    if buffer.count + segment.count - carriageReturn > maximum {
                        events.append(.tooLong)
                    } else if buffer.isEmpty {
                        // The whole line is in this chunk: no copy into `buffer`.
                        if let event = Self.completeLine(UnsafeBufferPointer(rebasing: segment)) { events.append(event) }
                    } else {
                        buffer.append(contentsOf: segment)
                        if let event = buffer.withUnsafeBufferPointer({ Self.completeLine($0) }) { events.append(event) }
                    }
                }
                buffer.removeAll(keepingCapacity: true)
                start = newline + 1
            } else {
                guard !discarding else { return }
                let segment = chunk[start...]
                let total = buffer.count + segment.count
                // One byte over is still fine if it is the `\r` of a `\r\n` to come.
                let lastIsCR = segment.last == UInt8(ascii: "\r")
                if total > maximum + 1 || (total == maximum + 1 && !lastIsCR) {
                    events.append(.tooLong)
                    discarding = true
                    buffer.removeAll(keepingCapacity: false)
                } else {
                    buffer.append(contentsOf: segment)
                }
                return
            }
        }
    }

    /// The event for one complete line's bytes (`\r` not yet stripped): nothing
    /// when blank, else a NUL byte, invalid UTF-8 or the line, in that order.
    private static func completeLine(_ bytes: UnsafeBufferPointer<UInt8>) -> Event? {
        var content = bytes[...]
        if content.last == UInt8(ascii: "\r") { content = content.dropLast() }
        // One pass; an ASCII line needs no UTF-8 validation, which, generic,
        // was a twentieth of a pipelined PING (issue 17).
        var blank = true
        var ascii = true
        var nul = false
        for byte in content {
            if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") { blank = false }
            if byte == 0 { nul = true }
            if byte >= 0x80 { ascii = false }
        }
        if blank { return nil }
        if nul { return .invalid(.nulByte) }
        let line = UnsafeBufferPointer(rebasing: content)
        if ascii { return .line(String(decoding: line, as: UTF8.self)) }
        guard let text = String(validating: line, as: UTF8.self) else { return .invalid(.invalidUTF8) }
        return .line(text)
    }
}
