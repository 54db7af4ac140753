import DossierDomain
import DossierProtocol
import Logging
import Postgres
import Synchronization

/// Executes one request line for a connection: parse once into a typed
/// `Command`, check the role against the command table, run it in one database
/// transaction, and turn every failure into a protocol error.
final class CommandExecutor: Sendable {
    let pool: ConnectionPool
    let statistics: ServerStatistics
    let logger: Logger
    /// `logger.logLevel`, read once: through the log handler it was a visible part of a PING.
    private let logLevel: Logger.Level
    let auditKey: AuditKey?
    let personalData: PersonalData?
    /// Database work of commands in flight, cancelled at the shutdown deadline.
    let inFlight = InFlightCommands()
    private let isShuttingDown: @Sendable () -> Bool
    /// Messages and `HELP` summaries until a session chooses with `LANG`.
    let defaultLanguage: Language

    /// How many `HELP` answers a connection gets before `AUTH` (the only
    /// large answer available without logging in).
    static let helpAnswersBeforeLogin = 20

    init(pool: ConnectionPool, statistics: ServerStatistics, logger: Logger, auditKey: AuditKey? = nil,
         personalData: PersonalData? = nil,
         isShuttingDown: @escaping @Sendable () -> Bool = { false }, defaultLanguage: Language = .english) {
        self.personalData = personalData
        self.pool = pool
        self.statistics = statistics
        self.logger = logger
        self.logLevel = logger.logLevel
        self.auditKey = auditKey
        self.isShuttingDown = isShuttingDown
        self.defaultLanguage = defaultLanguage
    }

    /// The language of a session's messages.
    func language(of session: SessionState) -> Language { session.language ?? defaultLanguage }

    struct Outcome: Sendable {
        var response: Response
        /// Close the connection after sending the response (QUIT).
        var close = false
    }

    /// What to do with a request line: nothing (blank), an answer that needs
    /// no database, or a command to run against the database.
    enum Step: Sendable {
        case nothing
        case answered(Outcome)
        case needsDatabase(Command)
    }

    /// Parses once and answers what needs no database: parse errors, PING,
    /// HELP, FORMAT, QUIT, and everything refused before login.
    func prepare(line: String, session: inout SessionState) -> Step {
        let command: Command
        do {
            guard let parsed = try CommandParser.parse(line, authenticated: session.user != nil) else { return .nothing }
            command = parsed
        } catch {
            return .answered(finish(Outcome(response: .error(error)), verb: nil, session: session, since: clock(for: .info)))
        }
        let level = CommandLogLevel.of(command)
        let started = clock(for: level)
        let outcome: Outcome
        switch command {
        case .ping:
            outcome = Outcome(response: .pong)
        case .quit:
            outcome = Outcome(response: .ok("bye"), close: true)
        case .help where session.user == nil && session.helpAnswersBeforeLogin >= Self.helpAnswersBeforeLogin:
            outcome = Outcome(response: .error(.limit, "log in for more HELP (\(Self.helpAnswersBeforeLogin) answers before AUTH)"))
        case .help(let topic):
            if session.user == nil { session.helpAnswersBeforeLogin += 1 }
            outcome = Outcome(response: Help.response(for: topic, language: language(of: session)))
        case .format(let format):
            session.format = format
            outcome = Outcome(response: .ok())
        case .lang(let language):
            session.language = language
            outcome = Outcome(response: .ok())
        default:
            return .needsDatabase(command)
        }
        return .answered(finish(outcome, verb: command.verb, session: session, since: started, level: level))
    }

    /// Runs a command that needs the database, in one transaction (which a
    /// `DOSSIER SHOW` may share with others queued at the same time, each
    /// all-or-nothing: `ConnectionPool.groupedTransaction`).
    func execute(_ command: Command, session: inout SessionState) async -> Outcome {
        let started = ContinuousClock.now
        let outcome: Outcome
        switch command {
        case .auth(let auth):
            outcome = Outcome(response: await authenticate(auth, session: &session))
        default:
            if let user = session.user {
                outcome = Outcome(response: await run(command, as: user))
            } else {
                outcome = Outcome(response: .error(.loginRequired))
            }
        }
        return finish(outcome, verb: command.verb, session: session, since: started)
    }

    /// The time a command starts (from its parsed line), if its metrics or its
    /// log line at `level` will want its duration: a PING at the default level
    /// reads no clock (issue 17).
    private func clock(for level: Logger.Level) -> ContinuousClock.Instant? {
        DossierMetrics.isRecording || logLevel <= level ? ContinuousClock.now : nil
    }

    /// Counts the command (`STATS`); its metrics and log line when they are on.
    /// The verb's name and the clock are only read then. `verb` nil: the line
    /// did not parse (`-`).
    private func finish(
        _ outcome: Outcome, verb: Verb?, session: SessionState, since started: ContinuousClock.Instant?,
        level: Logger.Level = .info
    ) -> Outcome {
        statistics.recordCommand(failed: !outcome.response.isOK)
        let recording = DossierMetrics.isRecording
        let logging = logLevel <= level
        guard recording || logging else { return outcome }
        let name = verb?.spec.name ?? "-"
        let code = outcome.response.outcomeCode
        let elapsed = started.map { ContinuousClock.now - $0 } ?? .zero
        if recording { DossierMetrics.command(verb: name, outcome: code, duration: elapsed) }
        if logging { log(session, verb: name, code: code, elapsed: elapsed, at: level) }
        return outcome
    }

    private func authenticate(_ auth: Auth, session: inout SessionState) async -> Response {
        // The password would cross the network in clear (`TransportSecurity`).
        guard !session.refusesPlainAuth else {
            return .error(ProtocolError(.denied, "AUTH over plain TCP is only accepted from this machine; connect with TLS"))
        }
        let login = auth.login.rawValue
        let password = auth.password.revealed
        do {
            let result = try await inFlight.run { [pool] in try await pool.transaction(kind: .limited) { connection in
                let row = try connection.query(
                    "SELECT user_id, role, dept_code, ok FROM dossier.authenticate($1::text, $2::text)", [login, password]
                ).firstRow()
                guard try row.decode("ok", as: Bool.self) else { return nil as (Int64, String, String)? }
                return (try row.decode("user_id", as: Int64.self), try row.decode("role", as: String.self),
                        try row.decode("dept_code", as: String.self))
            } }
            guard let (id, role, dept) = result else {
                // Unknown login, wrong password and locked login get the same answer.
                return .error(.badCredentials)
            }
            session.user = SignedInUser(id: id, login: login)
            return .ok("\(login) role=\(role) dept=\(dept)")
        } catch {
            return .error(DatabaseErrorMapping.protocolError(for: error, shuttingDown: isShuttingDown(), logger: logger))
        }
    }

    /// A command of a signed-in user, in one transaction opened by
    /// `begin_command`, which checks the verb's roles: a whole command
    /// (`CommandHandlers.wholeCommand`) in one round trip with its `COMMIT`,
    /// any other with `BEGIN` in its first round trip.
    private func run(_ command: Command, as user: SignedInUser) async -> Response {
        let handlers = CommandHandlers(statistics: statistics, poolStatistics: { [pool] in pool.statistics },
                                       auditKey: auditKey, personalData: personalData, logger: logger)
        let spec = command.spec
        let begin = Actor.beginStatement(user, for: spec)
        // A command takes one of the command slots (`--command-slots`) unless its work can last minutes.
        let kind: JobKind = spec.runsLong ? .unlimited : .limited
        // What the command answered before COMMIT, named if COMMIT's outcome is lost.
        let answered = Mutex<Response?>(nil)
        do {
            if let whole = try handlers.wholeCommand(for: command) {
                let answer: @Sendable ([PostgresResult]) throws -> Response = { answers in
                    let actor = try Actor(begun: answers[0], user: user)
                    try Actor.checkAccess(spec, actor)
                    return try whole.answer(Array(answers.dropFirst()), actor)
                }
                return try await inFlight.run { [pool] in
                    // Commands queued together share a commit (begin_command sets each one's actor).
                    if whole.groupable, kind == .limited {
                        return try await pool.groupedTransaction([begin] + whole.statements, answer)
                    }
                    return try await pool.committedTransaction(kind: kind, [begin] + whole.statements, answer)
                }
            }
            return try await inFlight.run { [pool] in
                try await pool.transaction(kind: kind, opening: [begin]) { connection, opened in
                    let actor = try Actor(begun: opened[0], user: user)
                    // Throwing rolls the transaction back.
                    try Actor.checkAccess(spec, actor)
                    let response = try handlers.respond(to: command, actor: actor, connection: connection)
                    answered.withLock { $0 = response }
                    return response
                }
            }
        } catch {
            if let refusal = Actor.refusal(error, of: spec) { return .error(refusal) }
            return .error(DatabaseErrorMapping.protocolError(
                for: error, answerIfCommitted: answered.withLock { $0 }, shuttingDown: isShuttingDown(), logger: logger))
        }
    }

    /// One line per command: `command conn=… login=… verb=… outcome=… us=…`,
    /// at `level` (`CommandLogLevel`: info, a bare PING debug).
    /// Preformatted rather than swift-log metadata: this runs for every request,
    /// and a metadata dictionary per command costs more than the
    /// command. Never a password or an argument list.
    private func log(_ session: SessionState, verb: String, code: String, elapsed: Duration, at level: Logger.Level) {
        let micros = elapsed.inMicroseconds
        // utf8.contains: String.contains(" ") resolves to Foundation's range(of:), 7% of a PING (perf).
        let quoted = verb.utf8.contains(UInt8(ascii: " ")) ? "\"\(verb)\"" : verb
        logger.log(level: level, "command conn=\(session.connectionID) login=\(session.user?.login ?? "-") verb=\(quoted) outcome=\(code) us=\(micros)")
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
