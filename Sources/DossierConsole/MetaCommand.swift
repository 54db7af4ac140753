/// The console's own commands, which start with a backslash as psql's do and
/// never reach the server.
public enum MetaCommand: Hashable, Sendable {
    /// `\x [on|off|auto]`: the expanded layout; without an argument, toggle.
    case expanded(ExpandedMode?)
    /// `\all [on|off]`: follow `next=` cursors; without an argument, toggle.
    case followCursors(Bool?)
    /// `\pager [on|off]`; without an argument, toggle.
    case pager(Bool?)
    /// `\?`: list these commands.
    case help
    /// `\q`: quit.
    case quit

    /// Every command as `\?` lists it (and as Tab completes it).
    public static let names = [#"\x"#, #"\all"#, #"\pager"#, #"\?"#, #"\q"#]

    public static let helpLines = [
        #"\x [on|off|auto]   expanded layout (one line per field); auto: when a table is too wide"#,
        #"\all [on|off]      follow next= cursors and show every page of a listing"#,
        #"\pager [on|off]    long output through $PAGER"#,
        #"\?                 this list"#,
        #"\q                 quit (as QUIT)"#,
    ]

    /// Whether `line` is meant for the console (starts with a backslash).
    public static func isMeta(_ line: String) -> Bool {
        line.drop { $0 == " " }.hasPrefix("\\")
    }

    /// The command `line` names; throws a message for the user when it is unknown
    /// or its argument is wrong.
    public static func parse(_ line: String) throws(MetaCommandError) -> MetaCommand {
        let words = line.split(separator: " ").map(String.init)
        guard let name = words.first else { throw MetaCommandError(message: "empty command") }
        let argument = words.count > 1 ? words[1].lowercased() : nil
        guard words.count <= 2 else { throw MetaCommandError(message: "\(name) takes at most one argument") }
        switch name {
        case #"\x"#:
            guard let argument else { return .expanded(nil) }
            guard let mode = ExpandedMode(rawValue: argument) else { throw MetaCommandError(message: #"\x takes on, off or auto"#) }
            return .expanded(mode)
        case #"\all"#: return .followCursors(try onOff(argument, name))
        case #"\pager"#: return .pager(try onOff(argument, name))
        case #"\?"#: return .help
        case #"\q"#: return .quit
        default: throw MetaCommandError(message: #"unknown console command \#(name); \? lists them"#)
        }
    }

    private static func onOff(_ argument: String?, _ name: String) throws(MetaCommandError) -> Bool? {
        switch argument {
        case nil: return nil
        case "on": return true
        case "off": return false
        default: throw MetaCommandError(message: "\(name) takes on or off")
        }
    }
}

/// Why a console command was refused.
public struct MetaCommandError: Error, Hashable, Sendable {
    public var message: String
}
