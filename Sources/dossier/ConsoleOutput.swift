import Glibc

/// Unbuffered writes to stdout or stderr. The line editor writes escape sequences
/// and responses in turn; going straight to the file descriptor keeps them in
/// order without juggling `FILE*` buffers.
struct ConsoleOutput: Sendable {
    let fd: Int32

    static let standardOutput = ConsoleOutput(fd: STDOUT_FILENO)
    static let standardError = ConsoleOutput(fd: STDERR_FILENO)

    func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return // stdout closed (e.g. `| head`): nothing sensible left to do
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Each line followed by a newline.
    func write(lines: [String]) {
        guard !lines.isEmpty else { return }
        write(lines.map { $0 + "\n" }.joined())
    }
}
