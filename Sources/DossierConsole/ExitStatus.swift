/// The console's exit codes, distinct so a script can tell what went wrong.
public enum ExitStatus: Int32, CaseIterable, Hashable, Sendable {
    /// Every request succeeded (or the interactive session ended normally).
    case success = 0
    /// At least one request was answered `ERR` (or a meta-command failed).
    case commandFailed = 1
    /// The connection could not be opened, was refused or was lost.
    case connectionFailed = 2
    /// `--auth` did not log in (wrong credentials, no password available).
    case loginFailed = 3
    /// The command line was wrong (ArgumentParser's own code for usage errors is 64).
    case usage = 64
}

/// Runs the lines of a script (`-c`, `-f`, standard input) and decides the exit
/// status as psql does: every line runs, the status is non-zero if any failed,
/// and `--stop-on-error` stops at the first failure.
public struct ScriptRun: Hashable, Sendable {
    public let stopOnError: Bool
    public private(set) var failures = 0
    public private(set) var executed = 0

    public init(stopOnError: Bool) { self.stopOnError = stopOnError }

    /// Records a line's outcome; returns whether the script goes on.
    public mutating func record(succeeded: Bool) -> Bool {
        executed += 1
        if !succeeded { failures += 1 }
        return succeeded || !stopOnError
    }

    public var status: ExitStatus { failures == 0 ? .success : .commandFailed }
}
