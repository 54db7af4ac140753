import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program running in a pseudo-terminal of a given size, as in a terminal
/// window: what it writes is collected (escape sequences and all), keys are typed
/// into it. For tests of the console as a person uses it.
public final class PseudoTerminal: @unchecked Sendable {
    public let process = Process()
    private let master: Int32
    private let lock = NSLock()
    private var collected = Data()
    private var reader: Thread?

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(executable: String, arguments: [String], environment: [String: String],
                columns: Int, rows: Int) throws {
        // posix_openpt/unlockpt/ptsname are not in Swift's Glibc module; these are
        // their Linux insides (devpts needs no grantpt).
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        let TIOCSPTLCK: UInt = 0x4004_5431, TIOCGPTN: UInt = 0x8004_5430
        guard master >= 0, ioctl(master, TIOCSPTLCK, &unlock) == 0, ioctl(master, TIOCGPTN, &number) == 0 else {
            throw Failure(description: "no pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
        let name = "/dev/pts/\(number)"
        let slave = open(name, O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw Failure(description: "cannot open \(name)") }
        let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = handle
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // The child has its copies; the parent's would keep the terminal open after it exits.
        try handle.close()
        let master = self.master
        let thread = Thread { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(master, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return } // EIO once the child has gone
                guard let self else { return }
                self.lock.lock()
                self.collected.append(contentsOf: buffer[..<count])
                self.lock.unlock()
            }
        }
        reader = thread
        thread.start()
    }

    /// Everything the program wrote so far.
    public var output: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Output since `mark` (an earlier `output.utf8.count`).
    public func output(since mark: Int) -> String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: collected.dropFirst(mark), as: UTF8.self)
    }

    public var mark: Int {
        lock.lock()
        defer { lock.unlock() }
        return collected.count
    }

    /// Types `text` as keys (`\r` is Enter, `\t` Tab, `\u{12}` Ctrl-R).
    public func type(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
            if written < 0 { if errno == EINTR { continue }; return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Waits until the output after `mark` contains `needle`; false if the program
    /// ended or a generous bound passed first (a bound against hanging, not a timing).
    @discardableResult
    public func waitFor(_ needle: String, since mark: Int = 0, seconds: Double = 60) async -> Bool {
        let seen = await Polling.until(seconds: seconds, every: .milliseconds(20)) {
            output(since: mark).contains(needle) || !process.isRunning
        }
        guard seen, !output(since: mark).contains(needle) else { return seen }
        // The program ended: let its last output arrive.
        try? await Task.sleep(for: .milliseconds(100))
        return output(since: mark).contains(needle)
    }

    /// Waits for the program to exit; its status, or nil if it still runs after `seconds`.
    public func waitForExit(seconds: Double = 60) async -> Int32? {
        let ended = await Polling.until(seconds: seconds, every: .milliseconds(20)) { !process.isRunning }
        return ended ? process.terminationStatus : nil
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        close(master)
    }
}
