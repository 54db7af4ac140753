import Foundation
@testable import Postgres
import Synchronization
import TestSupport
import Testing

/// `transaction(opening:)`: BEGIN and a transaction's first statement in one
/// round trip (issue 17), with the same rules as `transaction(_:)`.
@Suite struct PipelinedOpeningTests {
    @Test func openingStatementRunsInsideTheTransactionInOneRoundTrip() throws {
        let connection = try PostgresConnection(conninfo: try TestPostgres.shared().conninfo())
        defer { connection.close() }
        let sql = "SELECT txid_current() AS tx, set_config('dossier.test', $1::text, true) AS value"
        // The first use prepares the statement (its own round trip); later ones only open.
        try connection.transaction(opening: sql, ["warm"]) { connection, _ in
            try connection.query("SELECT txid_current() AS tx")
        }
        let before = connection.roundTrips
        let (opened, inside, value) = try connection.transaction(opening: sql, ["x"]) { connection, opened in
            (try opened.firstRow().decode("tx", as: Int64.self),
             try connection.query("SELECT txid_current() AS tx").firstRow().decode("tx", as: Int64.self),
             try opened.firstRow().decode("value", as: String.self))
        }
        #expect(opened == inside)
        #expect(value == "x")
        #expect(connection.roundTrips == before + 3)  // BEGIN with the statement, the query, COMMIT
        #expect(!connection.isInTransaction)
        // The transaction-local setting ended with it.
        #expect(try connection.query("SELECT current_setting('dossier.test', true) AS v").firstRow()
            .decode("v", as: String?.self) ?? "" == "")
    }

    @Test func bodyChangesCommitAndAFailingBodyRollsBack() throws {
        let connection = try PostgresConnection(conninfo: try TestPostgres.shared().conninfo())
        defer { connection.close() }
        try connection.execute(script: "CREATE TEMP TABLE pipelined (n int)")
        try connection.transaction(opening: "SELECT $1::int4 AS n", [1]) { connection, opened in
            try connection.query("INSERT INTO pipelined VALUES ($1::int4)", [try opened.firstRow().decode("n", as: Int.self)])
        }
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try connection.transaction(opening: "SELECT $1::int4 AS n", [2]) { connection, _ in
                try connection.query("INSERT INTO pipelined VALUES (2)")
                throw Refused()
            }
        }
        #expect(try connection.query("SELECT array_agg(n)::text AS ns FROM pipelined").firstRow()
            .decode("ns", as: String.self) == "{1}")
    }

    @Test func failingOpeningStatementThrowsAndLeavesTheConnectionUsable() throws {
        let connection = try PostgresConnection(conninfo: try TestPostgres.shared().conninfo())
        defer { connection.close() }
        let ran = Mutex(false)
        let error = #expect(throws: PostgresError.self) {
            try connection.transaction(opening: "SELECT 1 / $1::int4 AS n", [0]) { _, _ in ran.withLock { $0 = true } }
        }
        #expect(error?.sqlState == "22012")
        #expect(!ran.withLock { $0 })
        #expect(!connection.isInTransaction)
        #expect(try connection.transaction(opening: "SELECT 1 / $1::int4 AS n", [1]) { _, opened in
            try opened.firstRow().decode("n", as: Int.self)
        } == 1)
    }

    @Test func severalOpeningStatementsTravelWithBeginInOneRoundTrip() throws {
        let connection = try PostgresConnection(conninfo: try TestPostgres.shared().conninfo())
        defer { connection.close() }
        try connection.execute(script: "CREATE TEMP TABLE opened_rows (n int)")
        let statements = [PipelinedStatement("SELECT set_config('dossier.test', $1::text, true) AS value", ["a"]),
                          PipelinedStatement("INSERT INTO opened_rows VALUES ($1::int4) RETURNING n", [7]),
                          PipelinedStatement("SELECT current_setting('dossier.test') AS value, txid_current() AS tx", [])]
        // Prepares them and the body's query (warm-up).
        try connection.transaction(opening: statements) { connection, _ in try connection.query("SELECT txid_current() AS tx") }
        let before = connection.roundTrips
        let (results, tx) = try connection.transaction(opening: statements) { connection, opened in
            (opened, try connection.query("SELECT txid_current() AS tx").firstRow().decode("tx", as: Int64.self))
        }
        #expect(results.count == 3)
        #expect(try results[1].firstRow().decode("n", as: Int.self) == 7)
        #expect(try results[2].firstRow().decode("value", as: String.self) == "a")  // in order, one transaction
        #expect(try results[2].firstRow().decode("tx", as: Int64.self) == tx)
        #expect(connection.roundTrips == before + 3)  // the opening, the query, COMMIT
        #expect(try connection.query("SELECT count(*)::int4 AS n FROM opened_rows").firstRow().decode("n", as: Int.self) == 2)
    }

    @Test func aFailingOpeningStatementSkipsTheRestAndRollsBack() throws {
        let connection = try PostgresConnection(conninfo: try TestPostgres.shared().conninfo())
        defer { connection.close() }
        try connection.execute(script: "CREATE TEMP TABLE opened_rows (n int)")
        let ran = Mutex(false)
        let error = #expect(throws: PostgresError.self) {
            try connection.transaction(opening: [PipelinedStatement("INSERT INTO opened_rows VALUES ($1::int4)", [1]),
                                                 PipelinedStatement("SELECT 1 / $1::int4 AS n", [0]),
                                                 PipelinedStatement("INSERT INTO opened_rows VALUES ($1::int4)", [3])]) { _, _ in
                ran.withLock { $0 = true }
            }
        }
        #expect(error?.sqlState == "22012")
        #expect(!ran.withLock { $0 })
        #expect(!connection.isInTransaction)
        #expect(try connection.query("SELECT count(*)::int4 AS n FROM opened_rows").firstRow().decode("n", as: Int.self) == 0)
        // And a body that refuses after the opening ran rolls the opening back too.
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try connection.transaction(opening: [PipelinedStatement("INSERT INTO opened_rows VALUES ($1::int4)", [4])]) { _, _ in
                throw Refused()
            }
        }
        #expect(try connection.query("SELECT count(*)::int4 AS n FROM opened_rows").firstRow().decode("n", as: Int.self) == 0)
    }

    /// A pooled connection that died while idle: the job is run again on a
    /// fresh one, as when its BEGIN alone hit the dead connection.
    @Test func poolRetriesAnOpeningThatHitADeadConnection() async throws {
        let conninfo = try TestPostgres.shared().conninfo()
        var configuration = ConnectionPool.Configuration(conninfo: conninfo, size: 1)
        configuration.checksConnectionBeforeJob = false
        let pool = ConnectionPool(configuration)
        // Prepared on the first connection, so the next opening sends no PREPARE.
        let opening = [PipelinedStatement("SELECT pg_backend_pid() AS pid", [])]
        let pid = try await pool.transaction(opening: opening) { _, opened in
            try opened[0].firstRow().decode("pid", as: Int32.self)
        }
        let admin = try PostgresConnection(conninfo: conninfo)
        try admin.query("SELECT pg_terminate_backend($1::int4, 5000)", [pid])
        admin.close()
        let attempts = Mutex(0)
        let newPID = try await pool.transaction(opening: opening) { _, opened in
            attempts.withLock { $0 += 1 }
            return try opened[0].firstRow().decode("pid", as: Int32.self)
        }
        #expect(newPID != pid)
        #expect(attempts.withLock { $0 } == 1)
        await pool.shutdown()
    }
}
