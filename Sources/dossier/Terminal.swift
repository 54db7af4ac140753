import Glibc

/// The few terminal facts and modes the console needs, over termios.
enum Terminal {
    /// Whether `fd` is a terminal (not a pipe or a file).
    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// The width of the terminal on `fd` in columns; nil when unknown.
    static func columns(_ fd: Int32 = STDOUT_FILENO) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// The height of the terminal on `fd` in rows; nil when unknown.
    static func rows(_ fd: Int32 = STDOUT_FILENO) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 else { return nil }
        return Int(size.ws_row)
    }

    /// Reads one line from the terminal without echoing it (a password): from
    /// stdin when it is a terminal, else from `/dev/tty` (a script piped in while a
    /// person sits at the terminal); nil when there is no terminal or at end of input.
    static func readSecret(prompt: String) -> String? {
        let fd: Int32
        var opened = false
        if isTerminal(STDIN_FILENO) {
            fd = STDIN_FILENO
        } else {
            fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            opened = true
        }
        defer { if opened { close(fd) } }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        quiet.c_lflag |= tcflag_t(ICANON)
        tcsetattr(fd, TCSANOW, &quiet)
        // The prompt only once echo is off: someone who starts typing the moment
        // it appears must not see the password on the screen.
        ConsoleOutput.standardError.write(prompt)
        defer {
            tcsetattr(fd, TCSANOW, &saved)
            ConsoleOutput.standardError.write("\n")
        }
        // Byte by byte up to the newline: buffered reading could swallow lines
        // typed ahead that belong to the console.
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(fd, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Raw mode on a terminal for the duration of one line edit: bytes arrive as typed,
/// without echo, and Ctrl-C / Ctrl-D come as keys instead of signals. Output
/// processing stays on, so `\n` still starts a new line. Dropping the value
/// restores the saved mode.
///
/// Raw mode is only on while a line is edited: while a response is awaited the
/// terminal is normal, so Ctrl-C interrupts the client as usual.
final class RawMode {
    private let fd: Int32
    private let saved: termios

    private init(fd: Int32, saved: termios) {
        self.fd = fd
        self.saved = saved
    }

    /// Switches `fd` to raw mode; nil if it is not a terminal.
    static func enable(fd: Int32) -> RawMode? {
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var raw = saved
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        raw.c_cflag |= tcflag_t(CS8)
        withUnsafeMutableBytes(of: &raw.c_cc) { bytes in
            bytes[Int(VMIN)] = 1
            bytes[Int(VTIME)] = 0
        }
        // TCSANOW, not TCSAFLUSH: keep what was typed ahead while a response was awaited.
        guard tcsetattr(fd, TCSANOW, &raw) == 0 else { return nil }
        return RawMode(fd: fd, saved: saved)
    }

    deinit {
        var saved = saved
        tcsetattr(fd, TCSANOW, &saved)
    }
}
