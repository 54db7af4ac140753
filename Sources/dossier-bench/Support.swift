#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Monotonic nanoseconds.
@inline(__always)
func nowNanos() -> UInt64 {
    NIODeadline.now().uptimeNanoseconds
}

/// `value` with `digits` decimals, without Foundation.
func fixed(_ value: Double, _ digits: Int = 3) -> String {
    guard value.isFinite else { return "nan" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = UInt64(scaled / scale)
    var text = (value < 0 && scaled > 0 ? "-" : "") + String(whole)
    if digits > 0 {
        let fraction = String(UInt64(scaled) - whole * UInt64(scale))
        text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
    return text
}

/// VmRSS of a process in kB, from /proc/<pid>/status (Linux); nil when unreadable.
func residentKilobytes(pid: Int32) -> Int? {
    let descriptor = open("/proc/\(pid)/status", O_RDONLY)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { break }
        bytes.append(contentsOf: chunk[..<count])
    }
    let status = String(decoding: bytes, as: UTF8.self)
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(String(line.dropFirst(6).filter(\.isNumber)))
    }
    return nil
}

func standardError(_ message: String) {
    var text = message + "\n"
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
}

/// `--name value` options after a subcommand; every option must be known.
struct Options {
    private var values: [String: String] = [:]

    init(_ arguments: ArraySlice<String>, known: Set<String>) throws {
        var rest = arguments[...]
        while let name = rest.popFirst() {
            guard name.hasPrefix("--") else { throw UsageError(description: "unexpected argument \(name)") }
            let key = String(name.dropFirst(2))
            guard known.contains(key) else { throw UsageError(description: "unknown option \(name)") }
            guard let value = rest.popFirst() else { throw UsageError(description: "\(name) needs a value") }
            values[key] = value
        }
    }

    func string(_ key: String, _ fallback: String) -> String { values[key] ?? fallback }

    func int(_ key: String, _ fallback: Int, atLeast minimum: Int = 1) throws -> Int {
        guard let text = values[key] else { return fallback }
        guard let value = Int(text), value >= minimum else {
            throw UsageError(description: "--\(key) must be an integer >= \(minimum)")
        }
        return value
    }

    func has(_ key: String) -> Bool { values[key] != nil }
}
