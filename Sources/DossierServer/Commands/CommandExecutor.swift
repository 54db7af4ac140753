import DossierDomain
import DossierProtocol
import Logging
import Postgres

/// Executes one request line for a connection: parse once into a typed
/// `Command`, check the role against the command table, run it in one database
/// transaction, and turn every failure into a protocol error.
final class CommandExecutor: Sendable {
    let pool: ConnectionPool
    let statistics: ServerStatistics
    let logger: Logger

    init(pool: ConnectionPool, statistics: ServerStatistics, logger: Logger) {
        self.pool = pool
        self.statistics = statistics
        self.logger = logger
    }

    struct Outcome: Sendable {
        var response: Response
        /// Close the connection after sending the response (QUIT).
        var close = false
    }

    func handle(line: String, session: inout SessionState) async -> Outcome? {
        let started = ContinuousClock.now
        let command: Command
        do {
            guard let parsed = try CommandParser.parse(line, authenticated: session.user != nil) else { return nil }
            command = parsed
        } catch {
            statistics.recordCommand(failed: true)
            log(session, verb: "-", code: error.code.rawValue, since: started)
            return Outcome(response: .error(error))
        }
        let outcome = await execute(command, session: &session)
        statistics.recordCommand(failed: !outcome.response.isOK)
        log(session, verb: command.verb.spec.name, code: outcome.response.outcomeCode, since: started)
        return outcome
    }

    private func execute(_ command: Command, session: inout SessionState) async -> Outcome {
        switch command {
        case .ping:
            return Outcome(response: .ok("PONG"))
        case .quit:
            return Outcome(response: .ok("bye"), close: true)
        case .help(let topic):
            return Outcome(response: Help.response(for: topic))
        case .format(let format):
            session.format = format
            return Outcome(response: .ok())
        case .auth(let auth):
            return Outcome(response: await authenticate(auth, session: &session))
        default:
            guard let user = session.user else { return Outcome(response: .error(.loginRequired)) }
            return Outcome(response: await run(command, as: user))
        }
    }

    private func authenticate(_ auth: Auth, session: inout SessionState) async -> Response {
        let login = auth.login.rawValue
        let password = auth.password.revealed
        do {
            let result = try await pool.transaction { connection in
                let row = try connection.query(
                    "SELECT user_id, role, dept_code, ok FROM dossier.authenticate($1::text, $2::text)", [login, password]
                ).rows[0]
                guard try row.decode("ok", as: Bool.self) else { return nil as (Int64, String, String)? }
                return (try row.decode("user_id", as: Int64.self), try row.decode("role", as: String.self),
                        try row.decode("dept_code", as: String.self))
            }
            guard let (id, role, dept) = result else {
                // Unknown login, wrong password and locked login get the same answer.
                return .error(.badCredentials)
            }
            session.user = SignedInUser(id: id, login: login)
            return .ok("\(login) role=\(role) dept=\(dept)")
        } catch {
            return .error(DatabaseErrorMapping.protocolError(for: error, logger: logger))
        }
    }

    /// A command of a signed-in user, in one transaction opened by `begin_command`.
    private func run(_ command: Command, as user: SignedInUser) async -> Response {
        let handlers = CommandHandlers(statistics: statistics, poolStatistics: { [pool] in pool.statistics })
        do {
            return try await pool.transaction { connection in
                let actor = try Actor.begin(user, on: connection)
                guard command.spec.access.permits(actor.role) else {
                    throw ProtocolError(.denied, "\(command.spec.name) is not for role \(actor.role.rawValue)")
                }
                return try handlers.respond(to: command, actor: actor, connection: connection)
            }
        } catch {
            return .error(DatabaseErrorMapping.protocolError(for: error, logger: logger))
        }
    }

    private func log(_ session: SessionState, verb: String, code: String, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        logger.info("command", metadata: [
            "conn": "\(session.connectionID)",
            "login": "\(session.user?.login ?? "-")",
            "verb": "\(verb)",
            "outcome": "\(code)",
            "us": "\(micros)",
        ])
    }
}

extension Response {
    /// `OK` or the error code, for the command log.
    var outcomeCode: String {
        switch final {
        case .ok: "OK"
        case .error(let error): error.code.rawValue
        }
    }
}
