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

    /// Reads one line from the terminal on stdin without echoing it (a password).
    static func readSecret(prompt: String) -> String? {
        ConsoleOutput.standardError.write(prompt)
        var saved = termios()
        let isTTY = tcgetattr(STDIN_FILENO, &saved) == 0
        if isTTY {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        }
        defer {
            if isTTY {
                tcsetattr(STDIN_FILENO, TCSANOW, &saved)
                ConsoleOutput.standardError.write("\n")
            }
        }
        return Swift.readLine()
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
