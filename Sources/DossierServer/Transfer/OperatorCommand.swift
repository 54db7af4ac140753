import DossierDomain
import DossierProtocol
import Postgres

/// A command an operator runs on the server's machine on behalf of a user
/// (`dossierd import … --as <login>`, `dossierd export … --as <login>`): one
/// transaction opened exactly as the daemon opens a user's command
/// (`begin_command`), so row-level security, the command table's role check
/// and the audit rows are those of that user. There is no password: whoever
/// runs these holds the daemon's database login already.
enum OperatorCommand {
    /// Opens the command for `login` inside the current transaction.
    static func actor(_ login: String, on connection: PostgresConnection) throws -> Actor {
        // The user table is readable only to an actor: look the login up as the
        // daemon's own system actor, then become the user (settings are replaced).
        try connection.query("SELECT dossier.begin_system_command('operator')")
        guard let row = try connection.query("SELECT id, active FROM dossier.users WHERE login = $1::text", [login]).first,
              try row.decode("active", as: Bool.self)
        else { throw ProtocolError(.auth, "no active user \(login)") }
        return try Actor.begin(SignedInUser(id: try row.decode("id", as: Int64.self), login: login), on: connection)
    }

    /// A typed command built from tokens, validated by the protocol's own parser
    /// (values travel as tokens: nothing is spliced into a request line).
    static func command(_ words: [String], _ arguments: [(String, String)], positionals: [String] = []) throws(ProtocolError) -> Command {
        let tokens = words.map(Token.positional) + positionals.map(Token.positional)
            + arguments.map { Token.keyValue(key: $0.0, value: $0.1) }
        return try CommandParser.parse(RequestLine(tokens: tokens))
    }

    /// The command table's role check, as the daemon makes it.
    static func checkAccess(_ command: Command, _ actor: Actor) throws {
        try Actor.checkAccess(command.spec, actor)
    }
}
