internal import CLibPQ
import Foundation

/// One libpq connection (`PGconn`).
///
/// Not `Sendable`: libpq forbids using a connection from two threads at once,
/// so a connection belongs to one thread at a time (in the pool: to its worker
/// thread). All calls block that thread.
///
/// Statements sent with `query(_:_:)` are prepared once per connection
/// (cached by SQL text) and then executed with `PQexecPrepared`, which
/// roughly doubles throughput on this workload; the cache is dropped on reconnect.
public final class PostgresConnection {
    /// The connection string this connection was opened with.
    public let conninfo: String
    private var handle: OpaquePointer?
    /// SQL text → server-side statement name.
    private var statements: [String: String] = [:]
    /// Counts the times `statements` was emptied by `DEALLOCATE ALL`.
    private var cacheGeneration = 0
    private var statementCounter = 0
    /// Statements prepared since this object was created (survives reconnects). For tests and metrics.
    public private(set) var prepareCount = 0
    /// Round trips attempted since this object was created. The pool compares it
    /// before and after a job to know whether a connection failure happened on
    /// the job's first round trip (then nothing of the job reached the server).
    public private(set) var roundTrips = 0
    /// Round trips whose request was handed to the server and might have
    /// changed something (everything but `BEGIN`, `ROLLBACK` and `PREPARE`).
    /// The pool retries a failed job on a new connection only while this did
    /// not move: work that provably changed nothing.
    public private(set) var effectfulRoundTrips = 0

    /// Asked before every statement but `ROLLBACK`: `true` means the work was
    /// cancelled, so the statement is not sent and fails with 57014. Set by
    /// the pool for the duration of a job.
    public var interruption: (@Sendable () -> Bool)?

    /// Called once per `committedTransaction` when its statements have been
    /// answered and only `COMMIT` is left, which mostly waits for the commit
    /// record to reach the disk. With it set, the pipeline asks the server
    /// to send the statements' answers ahead of `COMMIT`'s (a flush request),
    /// so that they are known before the commit is. Grouped commits
    /// (`CommitGroups`) let the next group start then.
    public var commitWaitBegins: (@Sendable () -> Void)?

    /// Bound on cached statements, so dynamic SQL text cannot grow the cache forever.
    static let statementCacheLimit = 1000

    /// Opens a connection (`PQconnectdb`). `conninfo` is a URL
    /// (`postgresql://…`) or `key=value` pairs; empty means libpq defaults (PG* variables).
    public init(conninfo: String) throws(PostgresError) {
        self.conninfo = conninfo
        self.handle = try Self.connect(conninfo)
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// `true` while libpq considers the connection usable (`PQstatus == CONNECTION_OK`).
    /// A server restart is only noticed on the next I/O.
    public var isConnected: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// The server version as an integer, e.g. 150013; 0 when not connected.
    public var serverVersion: Int {
        guard let handle else { return 0 }
        return Int(PQserverVersion(handle))
    }

    /// The server process ID serving this connection (for `pg_terminate_backend`, logs).
    public var processID: Int32 {
        guard let handle else { return 0 }
        return PQbackendPID(handle)
    }

    /// `true` inside an open (or failed) transaction block.
    public var isInTransaction: Bool {
        guard let handle else { return false }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// Closes the connection (`PQfinish`). Idempotent.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
        statements = [:]
    }

    /// Drops the current connection and opens a new one with the same conninfo.
    /// Server-side prepared statements die with the old session, so the cache is cleared.
    public func reconnect() throws(PostgresError) {
        close()
        handle = try Self.connect(conninfo)
    }

    /// A handle that cancels whatever this connection's server process is
    /// running, from any thread (`PQgetCancel`). Valid until the next
    /// reconnect; `nil` when not connected.
    public func makeCancelHandle() -> PostgresCancelHandle? {
        guard let handle, let cancel = PQgetCancel(handle) else { return nil }
        return PostgresCancelHandle(cancel)
    }

    // MARK: Statements

    /// Runs one statement with text parameters (`nil` = NULL) and returns its rows.
    ///
    /// The first call with a given SQL text prepares it on this connection; later
    /// calls only execute. Use explicit casts for parameters (`$1::int8`).
    @discardableResult
    public func query(_ sql: String, _ params: [(any PostgresEncodable)?] = []) throws(PostgresError) -> PostgresResult {
        let conn = try liveHandle()
        try checkInterruption()
        let name = try preparedName(for: sql, conn: conn)

        roundTrips += 1
        let sent = try Self.sendPrepared(conn, name, params)
        guard sent == 1 else { throw sendFailure(conn) }
        effectfulRoundTrips += 1
        do {
            return try collectResults(conn)
        } catch {
            // 26000: the statement vanished (DEALLOCATE/DISCARD ALL); 0A000: its
            // result type changed under it. Either way prepare afresh next time.
            if error.sqlState == "26000" || error.sqlState == "0A000" { statements[sql] = nil }
            throw error
        }
    }

    /// `PQsendQueryPrepared` with the parameters as texts (`nil` = NULL).
    private static func sendPrepared(
        _ conn: OpaquePointer, _ name: String, _ params: [(any PostgresEncodable)?]
    ) throws(PostgresError) -> Int32 {
        // One NUL-terminated buffer for all parameter texts; pointers into it
        // exist only inside the closure below.
        var buffer = [UInt8]()
        var offsets = [Int]()
        offsets.reserveCapacity(params.count)
        for (position, param) in params.enumerated() {
            guard let param else {
                offsets.append(-1)
                continue
            }
            let text = param.postgresText
            if text.utf8.contains(0) {
                throw .client("parameter $\(position + 1) contains a NUL byte, which PostgreSQL text cannot hold")
            }
            offsets.append(buffer.count)
            buffer.append(contentsOf: text.utf8)
            buffer.append(0)
        }
        buffer.append(0)  // never empty, so baseAddress is never nil
        return buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                let base = chars.baseAddress!
                let pointers: [UnsafePointer<CChar>?] = offsets.map { $0 < 0 ? nil : UnsafePointer(base + $0) }
                return pointers.withUnsafeBufferPointer { values in
                    PQsendQueryPrepared(conn, name, Int32(values.count), values.baseAddress, nil, nil, 0)
                }
            }
        }
    }

    /// Like `transaction(_:)`, but `BEGIN` and the transaction's first statement
    /// (`sql` with `params`, prepared once per connection) travel together in
    /// one round trip (libpq pipeline mode); `body` gets that statement's result.
    /// For the statement every command opens with (issue 17: a round trip per
    /// command less). If the first round trip breaks before `BEGIN` is
    /// answered, nothing was sent that could change data (the pool may retry).
    @discardableResult
    public func transaction<T>(
        opening sql: String, _ params: [(any PostgresEncodable)?],
        _ body: (PostgresConnection, PostgresResult) throws -> T
    ) throws -> T {
        try transaction(opening: [PipelinedStatement(sql, params)]) { connection, opened in
            // One statement sent, so one result (openPipelined checks the count).
            try body(connection, opened[0])
        }
    }

    /// Like `transaction(opening:_:_:)` with several opening statements, all
    /// sent with `BEGIN` in the one round trip, in order; `body` gets their
    /// results in the same order. They stop at the first that fails (the rest
    /// are skipped by the server and the transaction rolls back).
    @discardableResult
    public func transaction<T>(
        opening statements: [PipelinedStatement], _ body: (PostgresConnection, [PostgresResult]) throws -> T
    ) throws -> T {
        if isInTransaction {
            throw PostgresError.client("transaction() called while a transaction is already open on this connection")
        }
        let opened: [PostgresResult]
        do {
            opened = try sendPipelined(statements)
        } catch {
            rollbackIfNeeded()
            throw error
        }
        return try transaction(alreadyBegun: true) { connection in try body(connection, opened) }
    }

    /// A whole transaction in one round trip (libpq pipeline mode): `BEGIN`,
    /// `statements` (each prepared once per connection) and `COMMIT`; returns
    /// the statements' results, in order, once committed. For a command that
    /// is nothing but statements (issue 17: `COMMIT` without a round trip of
    /// its own). The statements stop at the first that fails: the rest and
    /// `COMMIT` are skipped by the server, the transaction is rolled back and
    /// that failure is thrown; so is a refused `COMMIT`. If the server ends
    /// the session before `BEGIN` is answered (an idle connection it had
    /// terminated), nothing ran and the pool may retry. If the connection is
    /// lost without the server saying why, or the session ends during
    /// `COMMIT`, the error is `.commitOutcomeUnknown`: the answers may have
    /// been lost after everything ran.
    public func committedTransaction(_ statements: [PipelinedStatement]) throws -> [PostgresResult] {
        if isInTransaction {
            throw PostgresError.client("committedTransaction() called while a transaction is already open on this connection")
        }
        do {
            return try sendPipelined(statements, commit: true)
        } catch {
            rollbackIfNeeded()
            throw error
        }
    }

    /// Sends `BEGIN` and the prepared statements (and `COMMIT`, if `commit`)
    /// in one pipeline and reads every answer.
    private func sendPipelined(_ statements: [PipelinedStatement], commit: Bool = false) throws(PostgresError) -> [PostgresResult] {
        let conn = try liveHandle()
        try checkInterruption()
        // Prepared before BEGIN, the first time only; BEGIN and COMMIT too, so
        // that a command's pipeline is parsed once per connection, not per command.
        let sent = [PipelinedStatement("BEGIN", [])] + statements + (commit ? [PipelinedStatement("COMMIT", [])] : [])
        let names = try preparedNames(for: sent.map(\.sql), conn: conn)
        guard PQenterPipelineMode(conn) == 1 else { throw sendFailure(conn) }
        defer { _ = PQexitPipelineMode(conn) }
        roundTrips += 1
        commitWasSent = false
        let commitWaitBegins = commit ? self.commitWaitBegins : nil
        for (position, (statement, name)) in zip(sent, names).enumerated() {
            if position == sent.count - 1, commitWaitBegins != nil {
                guard PQsendFlushRequest(conn) == 1 else { throw sendFailure(conn) }  // the answers before COMMIT's
            }
            guard try Self.sendPrepared(conn, name, statement.params) == 1 else { throw sendFailure(conn) }
        }
        guard PQpipelineSync(conn) == 1 else { throw sendFailure(conn) }
        commitWasSent = commit
        // Each statement's results end with NULL; then the sync's own result.
        var failure: PostgresError?
        var failedAnswer = 0  // which answer the failure belongs to (0: BEGIN)
        var answers: [PostgresResult?] = []
        let expected = statements.count + 1 + (commit ? 1 : 0)
        answers.reserveCapacity(expected)
        for position in 0..<expected {
            if position == expected - 1, let commitWaitBegins { commitWaitBegins() }
            var last: PostgresResult?
            while let result = PQgetResult(conn) {
                let status = PQresultStatus(result)
                if status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK {
                    last = copy(result)
                } else if status != PGRES_PIPELINE_ABORTED, failure == nil {  // aborted: the error before it is the failure
                    failure = Self.error(from: result, conn: conn)
                    failedAnswer = answers.count
                }
                PQclear(result)
            }
            answers.append(last)
            if answers.count == 1, last != nil { effectfulRoundTrips += 1 }  // BEGIN answered: the statements ran
        }
        if let sync = PQgetResult(conn) { PQclear(sync) }
        if commit {
            if answers[expected - 1] == nil {
                // Refused by the server before COMMIT ran (BEGIN or a
                // statement, also by ending the session), or COMMIT refused
                // with an error that leaves the session (it rolled back):
                // nothing committed.
                if var failure, failure.sqlState != nil,
                   failedAnswer < expected - 1 || !Self.endsSession(failure, conn: conn) {
                    if Self.endsSession(failure, conn: conn) { failure.kind = .connection }
                    throw failure
                }
                // Lost on the way, or the session ended during COMMIT (as
                // when a backend waiting for a synchronous standby is
                // terminated after committing locally): it may have committed.
                let lost = failure ?? Self.connectionFailure(conn)
                throw PostgresError(
                    kind: .commitOutcomeUnknown, sqlState: nil,
                    message: "the connection broke while COMMIT was in flight; the transaction may have committed: \(lost.message)")
            }
        } else if var failure {
            if Self.endsSession(failure, conn: conn) { failure.kind = .connection }
            throw failure
        }
        var opened: [PostgresResult] = []
        opened.reserveCapacity(statements.count)
        for answer in answers.dropFirst().prefix(statements.count) {
            guard let answer else { throw Self.connectionFailure(conn) }
            opened.append(answer)
        }
        return opened
    }

    /// Runs trusted SQL, possibly several statements separated by `;`, with the
    /// simple query protocol (`PQsendQuery`; no parameters, nothing cached).
    /// Stops at and throws the first error. For migrations and utility commands.
    public func execute(script: String) throws(PostgresError) {
        _ = try simpleQuery(script)
    }

    /// Like `execute(script:)` but returns the result of the last statement.
    @discardableResult
    public func simpleQuery(_ sql: String) throws(PostgresError) -> PostgresResult {
        let conn = try liveHandle()
        if sql != "ROLLBACK" { try checkInterruption() }
        roundTrips += 1
        commitWasSent = false
        guard PQsendQuery(conn, sql) == 1 else { throw sendFailure(conn) }
        if sql == "COMMIT" { commitWasSent = true }
        if !Self.effectFree.contains(sql) { effectfulRoundTrips += 1 }
        return try collectResults(conn)
    }

    /// Statements that change nothing when they run alone.
    private static let effectFree: Set<String> = ["BEGIN", "ROLLBACK"]
    /// Whether the last `COMMIT` was handed to the server (its outcome is then
    /// unknown if the reply is lost).
    private var commitWasSent = false

    /// Runs `body` inside `BEGIN … COMMIT`.
    ///
    /// When `body` throws, the transaction is rolled back and the body's error is
    /// rethrown. When `COMMIT` fails (e.g. serialization failure, deferred
    /// constraint), that error is thrown; the server has then rolled back.
    /// If `body` swallowed a statement error, the transaction is aborted and
    /// cannot commit: it is rolled back and a `25P02` error is thrown.
    @discardableResult
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try transaction(alreadyBegun: false, body)
    }

    private func transaction<T>(alreadyBegun: Bool, _ body: (PostgresConnection) throws -> T) throws -> T {
        if !alreadyBegun {
            if isInTransaction {
                throw PostgresError.client("transaction() called while a transaction is already open on this connection")
            }
            try execute(script: "BEGIN")
        }
        let value: T
        do {
            value = try body(self)
        } catch {
            rollbackIfNeeded()
            throw error
        }
        if let handle, PQtransactionStatus(handle) == PQTRANS_INERROR {
            rollbackIfNeeded()
            throw PostgresError(
                kind: .client, sqlState: "25P02",
                message: "the transaction was aborted by an error the body caught; it was rolled back")
        }
        do throws(PostgresError) {
            try execute(script: "COMMIT")
        } catch {
            guard error.kind == .connection else { throw error }
            // COMMIT may have reached the server and committed before the
            // connection broke (e.g. a backend terminated while waiting for a
            // synchronous standby: committed locally, then FATAL). Only a send
            // that libpq refused proves that nothing was committed.
            if commitWasSent {
                throw PostgresError(
                    kind: .commitOutcomeUnknown, sqlState: error.sqlState,
                    message: "the connection broke while COMMIT was in flight; the transaction may have committed: \(error.message)")
            }
            throw error
        }
        return value
    }

    /// Rolls back an open transaction, ignoring errors (the connection may be gone).
    func rollbackIfNeeded() {
        guard isConnected, isInTransaction else { return }
        _ = try? simpleQuery("ROLLBACK")
    }

    /// Cheap, non-blocking check used by the pool before each job: reads
    /// whatever the server sent while the connection was idle, which reveals a
    /// socket the server closed (restart, `pg_terminate_backend`).
    func checkHealth() -> Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
        // The first read may return a pending FATAL message, the second the EOF.
        for _ in 0..<2 {
            if PQconsumeInput(handle) == 0 { return false }
            _ = PQisBusy(handle)  // parses buffered messages
        }
        while let notify = PQnotifies(handle) { PQfreemem(notify) }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// The SCRAM-SHA-256 verifier of `password` for `user`, computed here by
    /// libpq (`PQencryptPasswordConn`): `ALTER ROLE … PASSWORD` then carries only
    /// the verifier, so the clear password never reaches the server or its log.
    public func encryptPassword(_ password: String, user: String) throws(PostgresError) -> String {
        let conn = try liveHandle()
        guard let encrypted = PQencryptPasswordConn(conn, password, user, "scram-sha-256") else {
            throw .client(Self.connectionMessage(conn))
        }
        defer { PQfreemem(encrypted) }
        return String(cString: encrypted)
    }

    // MARK: Internals

    private func checkInterruption() throws(PostgresError) {
        guard let interruption, interruption() else { return }
        throw PostgresError(kind: .cancelled, sqlState: "57014", message: "the work was cancelled before this statement was sent")
    }

    private func liveHandle() throws(PostgresError) -> OpaquePointer {
        guard let handle else { throw PostgresError(kind: .connection, message: "connection is closed") }
        return handle
    }

    /// The prepared names of `texts`, all valid at once: a full cache is
    /// emptied (`DEALLOCATE ALL`) before a new statement is prepared, which
    /// would drop a name taken earlier in the same list, so then the list is
    /// named again (everything is prepared afresh once; the cache holds far
    /// more than one list).
    private func preparedNames(for texts: [String], conn: OpaquePointer) throws(PostgresError) -> [String] {
        while true {
            let generation = cacheGeneration
            var names: [String] = []
            names.reserveCapacity(texts.count)
            for text in texts { names.append(try preparedName(for: text, conn: conn)) }
            if generation == cacheGeneration { return names }
        }
    }

    private func preparedName(for sql: String, conn: OpaquePointer) throws(PostgresError) -> String {
        if let name = statements[sql] { return name }
        if statements.count >= Self.statementCacheLimit, !isInTransaction {
            try execute(script: "DEALLOCATE ALL")
            statements = [:]
            cacheGeneration += 1
        }
        statementCounter += 1
        let name = "s\(statementCounter)"
        roundTrips += 1
        guard PQsendPrepare(conn, name, sql, 0, nil) == 1 else { throw sendFailure(conn) }
        _ = try collectResults(conn)  // clears every result, also on error
        statements[sql] = name
        prepareCount += 1
        return name
    }

    /// Reads results until `PQgetResult` returns NULL, clearing each one.
    /// Returns the last successful result, or throws the first error.
    private func collectResults(_ conn: OpaquePointer) throws(PostgresError) -> PostgresResult {
        var failure: PostgresError?
        var last: PostgresResult?
        var abandon = false
        while let result = PQgetResult(conn) {
            let status = PQresultStatus(result)
            if status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK
                || status == PGRES_EMPTY_QUERY || status == PGRES_SINGLE_TUPLE
            {
                if failure == nil { last = copy(result) }
            } else if status == PGRES_COPY_IN {
                // Ends the COPY with an error; the server then reports it as a result.
                _ = PQputCopyEnd(conn, "COPY FROM STDIN is not supported by this client")
            } else if status == PGRES_COPY_OUT {
                var chunk: UnsafeMutablePointer<CChar>?
                while true {
                    let length = PQgetCopyData(conn, &chunk, 0)
                    if let chunk { PQfreemem(chunk) }
                    chunk = nil
                    if length < 0 { break }
                }
            } else if status == PGRES_COPY_BOTH {
                failure = failure ?? .client("replication (COPY BOTH) is not supported; connection closed")
                abandon = true
            } else {
                failure = failure ?? Self.error(from: result, conn: conn)
            }
            PQclear(result)
            if abandon { break }
        }
        if var failure {
            // The server sends its FATAL report before closing the socket, so
            // libpq only marks the connection bad after the drain above.
            // Decided before `close()`, which frees `conn`.
            if abandon || Self.endsSession(failure, conn: conn) { failure.kind = .connection }
            if abandon { close() }
            throw failure
        }
        if let last { return last }
        // No result at all: libpq only does that when the connection broke.
        throw Self.connectionFailure(conn)
    }

    /// The column maps of the results this connection has read, by their
    /// column names: the same statement answers with the same columns, and
    /// building the name → index map for every result was a visible part of
    /// a command (issue 17). Bounded: cleared when it grows past 256 shapes.
    private var columnsByNames: [[String]: PostgresColumns] = [:]

    private func columns(_ names: [String]) -> PostgresColumns {
        if let known = columnsByNames[names] { return known }
        if columnsByNames.count >= 256 { columnsByNames.removeAll(keepingCapacity: true) }
        let made = PostgresColumns(names)
        columnsByNames[names] = made
        return made
    }

    private func copy(_ result: OpaquePointer) -> PostgresResult {
        let fieldCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let names = (0..<fieldCount).map { column in
            PQfname(result, Int32(column)).map { String(cString: $0) } ?? "?column?"
        }
        var values = [String?]()
        values.reserveCapacity(fieldCount * rowCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(fieldCount) {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                    continue
                }
                let length = Int(PQgetlength(result, row, column))
                let text = PQgetvalue(result, row, column).map { pointer in
                    UnsafeRawPointer(pointer).withMemoryRebound(to: UInt8.self, capacity: length) {
                        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                    }
                }
                values.append(text ?? "")
            }
        }
        let shared = columns(names)
        let rows = (0..<rowCount).map { row in
            PostgresRow(columnInfo: shared, values: values[row * fieldCount..<(row + 1) * fieldCount])
        }
        let affected = PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
        let tag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
        return PostgresResult(columns: names, rows: rows, affectedRows: affected, commandTag: tag)
    }

    /// Bounds on every connection unless the conninfo (or libpq's environment)
    /// says otherwise: a server that does not answer, or a network path that
    /// silently drops, must surface as an error instead of a thread blocked
    /// for ever (Linux's default TCP retransmission alone lasts ~15 minutes).
    public static let defaultConnectionParameters: [(keyword: String, value: String, environment: String?)] = [
        ("connect_timeout", "10", "PGCONNECT_TIMEOUT"),
        ("keepalives", "1", nil),
        ("keepalives_idle", "30", nil),
        ("keepalives_interval", "10", nil),
        ("keepalives_count", "3", nil),
        ("tcp_user_timeout", "30000", nil),
    ]

    private static func connect(_ conninfo: String) throws(PostgresError) -> OpaquePointer {
        // Defaults come before the expanded conninfo, so the URL's own values win
        // (libpq: later keywords override earlier ones).
        let environment = ProcessInfo.processInfo.environment
        var pairs = defaultConnectionParameters
            .filter { parameter in parameter.environment.map { environment[$0] == nil } ?? true }
            .map { ($0.keyword, $0.value) }
        pairs.append(("dbname", conninfo))
        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let connection: OpaquePointer? = (keywords.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { keys in
            (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { vals in
                PQconnectdbParams(keys.baseAddress, vals.baseAddress, 1)
            }
        }
        guard let conn = connection else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = connectionMessage(conn)
            PQfinish(conn)
            throw PostgresError(kind: .connection, message: message)
        }
        // libpq prints NOTICEs to stderr by default; a server must not.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        // Decoding assumes UTF-8 text and ISO dates; only costs a round trip
        // when the environment asked for something else.
        if parameter(conn, "client_encoding") != "UTF8", PQsetClientEncoding(conn, "UTF8") != 0 {
            let message = connectionMessage(conn)
            PQfinish(conn)
            throw PostgresError(kind: .client, message: "cannot set client_encoding to UTF8: \(message)")
        }
        if parameter(conn, "DateStyle")?.hasPrefix("ISO") != true {
            if let result = PQexec(conn, "SET DateStyle TO ISO") { PQclear(result) }
        }
        return conn
    }

    private static func parameter(_ conn: OpaquePointer, _ name: String) -> String? {
        PQparameterStatus(conn, name).map { String(cString: $0) }
    }

    private static func connectionMessage(_ conn: OpaquePointer) -> String {
        let text = PQerrorMessage(conn).map { String(cString: $0) } ?? ""
        let trimmed = text.trimmingTrailingWhitespace()
        return trimmed.isEmpty ? "connection failed" : trimmed
    }

    /// A `PQsend…` call was refused: the connection is broken or misused.
    private func sendFailure(_ conn: OpaquePointer) -> PostgresError {
        let message = Self.connectionMessage(conn)
        let kind: PostgresError.Kind = PQstatus(conn) == CONNECTION_OK ? .client : .connection
        return PostgresError(kind: kind, message: message)
    }

    private static func connectionFailure(_ conn: OpaquePointer) -> PostgresError {
        let kind: PostgresError.Kind = PQstatus(conn) == CONNECTION_OK ? .client : .connection
        return PostgresError(kind: kind, message: connectionMessage(conn))
    }

    private static func error(from result: OpaquePointer, conn: OpaquePointer) -> PostgresError {
        func field(_ code: Unicode.Scalar) -> String? {
            PQresultErrorField(result, Int32(code.value)).map { String(cString: $0) }
        }
        let sqlState = field("C")
        var message = field("M") ?? ""
        if message.isEmpty {
            message = (PQresultErrorMessage(result).map { String(cString: $0) } ?? "").trimmingTrailingWhitespace()
        }
        if message.isEmpty { message = connectionMessage(conn) }
        var error = PostgresError(
            kind: sqlState == nil ? .client : .server, sqlState: sqlState, message: message,
            detail: field("D"), hint: field("H"), constraint: field("n"),
            schema: field("s"), table: field("t"), column: field("c"), severity: field("V") ?? field("S"))
        if endsSession(error, conn: conn) { error.kind = .connection }
        return error
    }

    /// Whether an error means the session is gone: libpq says so, or the
    /// server reported FATAL/PANIC, a connection exception (class 08) or a
    /// shutdown (57P01 admin, 57P02 crash, 57P03 cannot connect now).
    private static func endsSession(_ error: PostgresError, conn: OpaquePointer) -> Bool {
        if PQstatus(conn) != CONNECTION_OK { return true }
        if error.severity == "FATAL" || error.severity == "PANIC" { return true }
        guard let sqlState = error.sqlState else { return false }
        return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }
}

@available(*, unavailable, message: "a PostgresConnection must stay on one thread; use ConnectionPool")
extension PostgresConnection: Sendable {}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}

/// Sends a cancel request for one server process (`PQcancel`), usable from any
/// thread. PostgreSQL cancels the statement running *when the request arrives*:
/// callers cancel only while the work they mean is still running.
public final class PostgresCancelHandle: @unchecked Sendable {
    // `PGcancel` is immutable once made and `PQcancel` is documented as safe to
    // call from any thread; it is freed only when no one holds the handle.
    private let cancelObject: OpaquePointer

    fileprivate init(_ cancel: OpaquePointer) {
        cancelObject = cancel
    }

    deinit {
        PQfreeCancel(cancelObject)
    }

    /// Sends the cancel request (opens a short connection to the server: blocks
    /// for a round trip). Returns whether the server accepted the request.
    @discardableResult
    public func cancel() -> Bool {
        var message = [CChar](repeating: 0, count: 256)
        return PQcancel(cancelObject, &message, Int32(message.count)) == 1
    }
}
