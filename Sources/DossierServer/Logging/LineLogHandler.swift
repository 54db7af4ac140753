import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One log line per event on standard error: `<UTC time> <level> <label>:
/// key=value… message`. Cheaper than `StreamLogHandler` on the per-command
/// path: the time is formatted in UTC (no time-zone file lookups) and the
/// date part is reused within a second; each line is a single `write(2)`, so
/// lines from concurrent connections never interleave.
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
        var text = UTCClock.stamp()
        text += " \(level) \(label):"
        let merged = explicit.map { metadata.merging($0) { $1 } } ?? metadata
        for key in merged.keys.sorted() {
            text += " \(key)=\(merged[key]!)"
        }
        text += " \(message)\n"
        text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
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
