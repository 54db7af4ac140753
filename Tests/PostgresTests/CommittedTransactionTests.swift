import Foundation
@testable import Postgres
import Synchronization
import TestSupport
import Testing

/// `committedTransaction`: BEGIN, a command's statements and COMMIT in one
/// round trip (issue 17), with what may be said about its outcome.
@Suite struct CommittedTransactionTests {
    @Test func statementsCommitInOneRoundTrip() throws {
        let connection = try PostgresConnection(conninfo: try TestPostgres.shared().conninfo())
        defer { connection.close() }
        try connection.execute(script: "CREATE TEMP TABLE committed_rows (n int)")
        let statements = [PipelinedStatement("SELECT set_config('dossier.test', $1::text, true) AS value", ["a"]),
                          PipelinedStatement("INSERT INTO committed_rows VALUES ($1::int4) RETURNING n", [7]),
                          PipelinedStatement("SELECT current_setting('dossier.test') AS value, txid_current() AS tx", [])]
        _ = try connection.committedTransaction(statements)  // prepares them (warm-up)
        let before = connection.roundTrips
        let results = try connection.committedTransaction(statements)
        #expect(connection.roundTrips == before + 1)
        #expect(results.count == 3)
        #expect(try results[1].firstRow().decode("n", as: Int.self) == 7)
        #expect(try results[2].firstRow().decode("value", as: String.self) == "a")  // in order, one transaction
        #expect(!connection.isInTransaction)
        #expect(try connection.query("SELECT count(*)::int4 AS n FROM committed_rows").firstRow().decode("n", as: Int.self) == 2)
        // The transaction-local setting ended with it.
        #expect(try connection.query("SELECT current_setting('dossier.test', true) AS v").firstRow()
            .decode("v", as: String?.self) ?? "" == "")
    }

    @Test func beginAndCommitArePreparedOncePerConnection() throws {
        let connection = try PostgresConnection(conninfo: try TestPostgres.shared().conninfo())
        defer { connection.close() }
        let statements = [PipelinedStatement("SELECT $1::int4 AS n", [1])]
        _ = try connection.committedTransaction(statements)
        let prepared = connection.prepareCount
        _ = try connection.committedTransaction(statements)
        #expect(connection.prepareCount == prepared)
        let names = try connection.query(
            "SELECT array_agg(statement ORDER BY statement)::text AS texts FROM pg_prepared_statements WHERE statement IN ('BEGIN', 'COMMIT')")
        #expect(try names.firstRow().decode("texts", as: String.self) == "{BEGIN,COMMIT}")
    }

    /// A full statement cache is emptied before the next new statement is
    /// prepared; a pipeline naming a cached statement and then a new one
    /// must not send the first under a name that emptying dropped.
    @Test func aPipelineSurvivesTheCacheBeingEmptiedWhileItIsNamed() throws {
        let connection = try PostgresConnection(conninfo: try TestPostgres.shared().conninfo())
        defer { connection.close() }
        let cached = PipelinedStatement("SELECT $1::int4 AS n", [1])
        _ = try connection.committedTransaction([cached])  // BEGIN, the statement, COMMIT
        var filler = 0
        while connection.prepareCount < PostgresConnection.statementCacheLimit {
            filler += 1
            try connection.query("SELECT \(filler) AS filler")  // fixed test text: fills the cache
        }
        let fresh = PipelinedStatement("SELECT $1::int4 + 1 AS m", [41])
        let results = try connection.committedTransaction([cached, fresh])
        #expect(try results[0].firstRow().decode("n", as: Int.self) == 1)
        #expect(try results[1].firstRow().decode("m", as: Int.self) == 42)
        #expect(!connection.isInTransaction)
    }

    @Test func aFailingStatementSkipsTheRestAndCommitsNothing() throws {
        let connection = try PostgresConnection(conninfo: try TestPostgres.shared().conninfo())
        defer { connection.close() }
        try connection.execute(script: "CREATE TEMP TABLE committed_rows (n int)")
        let error = #expect(throws: PostgresError.self) {
            try connection.committedTransaction([PipelinedStatement("INSERT INTO committed_rows VALUES ($1::int4)", [1]),
                                                 PipelinedStatement("SELECT 1 / $1::int4 AS n", [0]),
                                                 PipelinedStatement("INSERT INTO committed_rows VALUES ($1::int4)", [3])])
        }
        #expect(error?.sqlState == "22012")
        #expect(error?.kind == .server)
        #expect(!connection.isInTransaction)
        #expect(try connection.query("SELECT count(*)::int4 AS n FROM committed_rows").firstRow().decode("n", as: Int.self) == 0)
    }

    @Test func aRefusedCommitIsThrownAndCommitsNothing() throws {
        let connection = try PostgresConnection(conninfo: try TestPostgres.shared().conninfo())
        defer { connection.close() }
        try connection.execute(script: "CREATE TEMP TABLE deferred_rows (n int UNIQUE DEFERRABLE INITIALLY DEFERRED)")
        let insert = PipelinedStatement("INSERT INTO deferred_rows VALUES ($1::int4)", [1])
        let error = #expect(throws: PostgresError.self) { try connection.committedTransaction([insert, insert]) }
        #expect(error?.sqlState == "23505")  // at COMMIT, where the deferred check runs
        #expect(!connection.isInTransaction)
        #expect(try connection.query("SELECT count(*)::int4 AS n FROM deferred_rows").firstRow().decode("n", as: Int.self) == 0)
        #expect(try connection.committedTransaction([insert]).count == 1)
    }

    /// A pooled connection that died while idle (the server said so): nothing
    /// of the job ran, so it runs again on a fresh connection.
    @Test func poolRetriesAJobThatHitAConnectionTheServerHadEnded() async throws {
        let conninfo = try TestPostgres.shared().conninfo()
        var configuration = ConnectionPool.Configuration(conninfo: conninfo, size: 1)
        configuration.checksConnectionBeforeJob = false
        let pool = ConnectionPool(configuration)
        let statements = [PipelinedStatement("SELECT pg_backend_pid() AS pid", [])]
        let pid = try await pool.committedTransaction(statements) { try $0[0].firstRow().decode("pid", as: Int32.self) }
        let admin = try PostgresConnection(conninfo: conninfo)
        try admin.query("SELECT pg_terminate_backend($1::int4, 5000)", [pid])
        admin.close()
        let answers = Mutex(0)
        let newPID = try await pool.committedTransaction(statements) { results in
            answers.withLock { $0 += 1 }
            return try results[0].firstRow().decode("pid", as: Int32.self)
        }
        #expect(newPID != pid)
        #expect(answers.withLock { $0 } == 1)
        await pool.shutdown()
    }

    /// The session ends while COMMIT waits for a synchronous standby (it has
    /// committed locally): the outcome is unknown, never "nothing changed".
    @Test func sessionEndedDuringCommitIsOutcomeUnknown() async throws {
        // The standby is named at start, not by ALTER SYSTEM and a reload: a
        // reload reaches the postmaster asynchronously, so a session opened
        // right after it could still commit without waiting (CI saw that).
        let cluster = try TestPostgres.makeScratchCluster(
            settings: ["synchronous_commit": "on", "synchronous_standby_names": "no_such_standby"])
        defer { try? cluster.stop() }
        let conninfo = cluster.conninfo(user: "postgres", database: "postgres")
        let admin = try PostgresConnection(conninfo: conninfo)
        defer { admin.close() }
        try admin.execute(script: "SET synchronous_commit = local")
        try admin.execute(script: "CREATE TABLE committed_rows (n int)")
        let killer = Task {
            let admin = try PostgresConnection(conninfo: conninfo)
            defer { admin.close() }
            for _ in 0..<500 {
                let waiting = try admin.query(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event = 'SyncRep'").first?.decode("pid", as: Int32.self)
                if let waiting {
                    try admin.query("SELECT pg_terminate_backend($1::int4)", [waiting])
                    return true
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            return false
        }
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        let error = #expect(throws: PostgresError.self) {
            try connection.committedTransaction([PipelinedStatement("INSERT INTO committed_rows VALUES ($1::int4)", [1])])
        }
        #expect(try await killer.value)
        #expect(error?.kind == .commitOutcomeUnknown)
        // It had committed locally.
        #expect(try admin.query("SELECT count(*)::int4 AS n FROM committed_rows").firstRow().decode("n", as: Int.self) == 1)
    }

    // MARK: The wait for the commit (commitWaitBegins)

    /// Set, `commitWaitBegins` runs once the statements are answered and
    /// before COMMIT's answer: here COMMIT waits for a lock that only the
    /// hook releases (a deferred constraint trigger takes it at commit).
    /// Without the statements' answers ahead of COMMIT's (the pipeline's
    /// flush request), the hook would come after COMMIT, which would fail
    /// at its lock timeout.
    @Test func commitWaitBeginsBeforeCommitIsAnswered() throws {
        let conninfo = try TestPostgres.shared().conninfo()
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        let holder = try PostgresConnection(conninfo: conninfo)
        defer { holder.close() }
        try connection.execute(script: "CREATE TEMP TABLE held_commits (n int);"
            + commitsWaitForLock(table: "held_commits", function: "pg_temp.wait_for_commit_lock", key: 4217))
        nonisolated(unsafe) let unlocker = holder
        let calls = Mutex(0)
        connection.commitWaitBegins = {
            calls.withLock { $0 += 1 }
            _ = try? unlocker.query("SELECT pg_advisory_unlock(4217::int8)")
        }
        let insert = PipelinedStatement("INSERT INTO held_commits VALUES ($1::int4) RETURNING n", [5])
        try holder.query("SELECT pg_advisory_lock(4217::int8)")
        let results = try connection.committedTransaction([insert])
        #expect(try results[0].firstRow().decode("n", as: Int.self) == 5)
        #expect(calls.withLock { $0 } == 1)

        // Without the hook, nothing is asked of the server between.
        connection.commitWaitBegins = nil
        _ = try connection.committedTransaction([insert])
        #expect(try connection.query("SELECT count(*)::int4 AS n FROM held_commits").firstRow().decode("n", as: Int.self) == 2)
    }
}

/// SQL that makes each commit of a transaction that inserted into `table` wait
/// for advisory lock `key` (a deferred constraint trigger takes it at commit;
/// `lock_timeout` 10 s, then COMMIT fails with 55P03): a COMMIT that waits
/// as long as a test wants, as one waits for the disk. The names and the key
/// are the tests' own constants, not input.
func commitsWaitForLock(table: String, function: String, key: Int64) -> String {
    """
    CREATE FUNCTION \(function)() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM set_config('lock_timeout', '10s', true);
        PERFORM pg_advisory_xact_lock(\(key));
        RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER \(table)_at_commit AFTER INSERT ON \(table)
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION \(function)();
    """
}
