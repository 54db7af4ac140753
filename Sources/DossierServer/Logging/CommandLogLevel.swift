import DossierProtocol
import Logging

/// The level of a command's log line (`command conn=… verb=… outcome=…`).
///
/// Every command is logged at `info`, except a PING that parsed as one: it
/// carries no data and no user action, health checks and load tests send it
/// by the hundred thousand a second, and formatting its line was a third of
/// its cost (issue 17). It is still counted (`STATS`, metrics) and logged at
/// `debug` (`--log-level debug`). A malformed PING (`PING x`) is a parse
/// error and logged at `info` like every error.
enum CommandLogLevel {
    static func of(_ command: Command) -> Logger.Level {
        if case .ping = command { return .debug }
        return .info
    }
}
