import Logging
import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One log line per event on standard error: `<UTC time> <level> <label>:
/// key=value… message`. Cheaper than `StreamLogHandler` on the per-command
/// path: the time is formatted in UTC (no time-zone file lookups) and the
/// date part is reused within a second; lines are written whole, so lines
/// from concurrent connections never interleave.
///
/// On an event-loop thread, `info` and below (the per-command log) are
/// gathered and written once per turn of the loop (`LineBatch`): a client
/// pipelining 16 requests cost 16 `write(2)` calls of log for one of answers
/// (issue 17). Anything more severe, and lines from other threads, are written
/// at once (after what the thread gathered, so the order holds).
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String, level: Logger.Level = .info) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
        source: String, file: String, function: String, line: UInt
    ) {
        // Plain appends (no interpolation of the level: that reflects on the enum).
        var text = UTCClock.stamp()
        text += " "
        text += level.rawValue
        text += " "
        text += label
        text += ":"
        let merged = explicit.map { metadata.merging($0) { $1 } } ?? metadata
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            text += " \(key)=\(value)"
        }
        text += " "
        text += message.description
        text += "\n"
        LineBatch.write(text, deferrable: level <= .info)
    }
}

/// Log lines of one event-loop thread, written together when the loop gets
/// to the flush it scheduled with the first of them (or at once past
/// `limit` bytes).
/// Unchecked: a batch is only touched by its own thread (the flush runs on the same event loop).
final class LineBatch: @unchecked Sendable {
    private static let current = ThreadSpecificVariable<LineBatch>()
    static let limit = 32 * 1024
    private var text = ""

    static func write(_ line: String, deferrable: Bool) {
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop else {
            writeOut(line)
            return
        }
        let batch: LineBatch
        if let existing = current.currentValue {
            batch = existing
        } else {
            batch = LineBatch()
            current.currentValue = batch
        }
        guard deferrable else {
            batch.flush()
            writeOut(line)
            return
        }
        let first = batch.text.isEmpty
        batch.text += line
        if batch.text.utf8.count >= limit {
            batch.flush()
        } else if first {
            loop.execute { batch.flush() }
        }
    }

    private func flush() {
        guard !text.isEmpty else { return }
        Self.writeOut(text)
        text = ""
    }

    private static func writeOut(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(2, base + offset, bytes.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }
}

/// `2026-11-23T01:31:22.945Z`, with the part up to the seconds cached.
enum UTCClock {
    private static let cache = Mutex<(second: Int, text: String)>((-1, ""))

    static func stamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let second = now.tv_sec
        let prefix = cache.withLock { cached -> String in
            if cached.second == second { return cached.text }
            var seconds = second
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let text = "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
                + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
            cached = (second, text)
            return text
        }
        return prefix + "." + pad(now.tv_nsec / 1_000_000, 3) + "Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
