import Glibc

/// Shows long output through a pager, as psql does: `$PAGER` (empty turns it
/// off), else `less -FRX` (quits at once when the text fits, keeps colours and
/// the screen), else `more`.
enum Pager {
    /// Writes `lines` through the pager and waits for it; false when there is
    /// none, so the caller prints them itself.
    static func run(_ lines: [String]) -> Bool {
        guard let command = command() else { return false }
        // The pager owns the terminal until it exits: Ctrl-C belongs to it, and
        // leaving it early closes the pipe (EPIPE, not SIGPIPE: see main).
        let previous = signal(SIGINT, SIG_IGN)
        defer { signal(SIGINT, previous) }
        guard let pipe = popen(command, "w") else { return false }
        for line in lines {
            if fputs(line + "\n", pipe) < 0 { break }
        }
        pclose(pipe)
        return true
    }

    static func command() -> String? {
        if let configured = getenv("PAGER").map({ String(cString: $0) }) {
            return configured.contains(where: { $0 != " " }) ? configured : nil
        }
        for (path, command) in [("/usr/bin/less", "less -FRX"), ("/bin/less", "less -FRX"), ("/usr/bin/more", "more"), ("/bin/more", "more")]
        where access(path, X_OK) == 0 {
            return command
        }
        return nil
    }
}
