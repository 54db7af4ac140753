import Foundation
@testable import Postgres
import Synchronization
import TestSupport
import Testing

/// Bounded and cancellable database work: a caller that gives up withdraws
/// its job or interrupts its statement; retries never repeat work that may
/// have changed data; a lost COMMIT reply is reported as an unknown outcome.
@Suite struct CancellationTests {
    @Test func cancellingTheCallerCancelsItsRunningStatement() async throws {
        let pool = ConnectionPool(.init(conninfo: try TestPostgres.shared().conninfo(), size: 1))
        let started = Flag()
        let sleeper = Task {
            try await pool.withConnection { connection in
                started.set()
                try connection.query("SELECT pg_sleep(60)")
            }
        }
        try await waitUntil { started.isSet && pool.statistics.busy == 1 }
        try await Task.sleep(for: .milliseconds(100))  // the statement is on the server
        let clock = ContinuousClock()
        let cancelledAt = clock.now
        sleeper.cancel()
        let error = await #expect(throws: PostgresError.self) { try await sleeper.value }
        print("a pg_sleep(60) cancelled after \(clock.now - cancelledAt)")
        #expect(error?.sqlState == "57014")
        // The connection is fine for the next job, and no transaction is left open.
        #expect(try await pool.withConnection { try $0.query("SELECT 5 AS n").firstRow().decode("n", as: Int.self) } == 5)
        #expect(pool.statistics.cancelledTotal == 1)
        #expect(pool.statistics.connectsTotal == 1)
        await pool.shutdown()
    }

    @Test func cancelledBodyStartsNoFurtherStatement() async throws {
        let pool = ConnectionPool(.init(conninfo: try TestPostgres.shared().conninfo(), size: 1))
        let inBody = Flag()
        let release = Flag()
        let statementsAfterCancel = Mutex(0)
        let job = Task {
            try await pool.transaction { connection in
                inBody.set()
                // Busy in Swift (not in the database) when the cancel comes.
                while !release.isSet { Thread.sleep(forTimeInterval: 0.01) }
                try connection.query("SELECT 1")
                statementsAfterCancel.withLock { $0 += 1 }
            }
        }
        try await waitUntil { inBody.isSet }
        job.cancel()
        try await Task.sleep(for: .milliseconds(200))
        release.set()
        let error = await #expect(throws: PostgresError.self) { try await job.value }
        #expect(error?.kind == .cancelled)
        #expect(statementsAfterCancel.withLock { $0 } == 0)
        #expect(try await pool.withConnection { try $0.query("SELECT 6 AS n").firstRow().decode("n", as: Int.self) } == 6)
        await pool.shutdown()
    }

    @Test func cancellingAWaitingCallerWithdrawsItsJob() async throws {
        let pool = ConnectionPool(.init(conninfo: try TestPostgres.shared().conninfo(), size: 1, acquireTimeout: .seconds(60)))
        let holding = Flag()
        let release = Flag()
        // The holder keeps the only connection until the test lets go, however
        // slow the machine: a timed hold let the waiter in before it was cancelled.
        let holder = Task {
            try await pool.withConnection { connection in
                holding.set()
                while !release.isSet { Thread.sleep(forTimeInterval: 0.01) }
                try connection.query("SELECT 1")
            }
        }
        try await waitUntil { holding.isSet }
        let ran = Flag()
        let waiter = Task {
            try await pool.withConnection { _ in ran.set() }
        }
        try await waitUntil { pool.statistics.waiting == 1 }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(pool.statistics.waiting == 0)
        release.set()
        try await holder.value
        #expect(!ran.isSet)
        #expect(pool.statistics.cancelledTotal == 1)
        await pool.shutdown()
    }

    @Test func cancelAllJobsInterruptsRunningAndWithdrawsWaiting() async throws {
        let pool = ConnectionPool(.init(conninfo: try TestPostgres.shared().conninfo(), size: 1, acquireTimeout: .seconds(60)))
        let running = Task { try await pool.withConnection { try $0.query("SELECT pg_sleep(60)") } }
        try await waitUntil { pool.statistics.busy == 1 }
        let waiting = Task { try await pool.withConnection { _ in 1 } }
        try await waitUntil { pool.statistics.waiting == 1 }
        try await Task.sleep(for: .milliseconds(100))
        pool.cancelAllJobs()
        let interrupted = await #expect(throws: PostgresError.self) { try await running.value }
        #expect(interrupted?.sqlState == "57014")
        await #expect(throws: CancellationError.self) { try await waiting.value }
        await pool.shutdown()
    }

    /// The retry after a lost connection opens the session as a first connect
    /// does, with every session setting.
    @Test func retryOnAFreshConnectionReappliesSessionSettings() async throws {
        let conninfo = try TestPostgres.shared().conninfo()
        var configuration = ConnectionPool.Configuration(
            conninfo: conninfo, size: 1, sessionSettings: ["statement_timeout": "1234ms", "jit": "off"])
        configuration.checksConnectionBeforeJob = false
        let pool = ConnectionPool(configuration)
        let pid = try await pool.withConnection { $0.processID }
        try terminate(pid, conninfo: conninfo)
        let attempts = Mutex(0)
        let settings = try await pool.transaction { connection in
            attempts.withLock { $0 += 1 }
            return [try connection.query("SHOW statement_timeout").firstRow().decode(0, as: String.self),
                    try connection.query("SHOW jit").firstRow().decode(0, as: String.self)]
        }
        // BEGIN failed on the dead connection; the body ran once, on the new one.
        #expect(attempts.withLock { $0 } == 1)
        #expect(pool.statistics.connectsTotal == 2)
        #expect(settings == ["1234ms", "off"])
        await pool.shutdown()
    }

    /// A job whose first round trip was a prepared write that may have reached
    /// the server is not run again: only work that changed nothing is retried.
    @Test func aJobThatMayHaveWrittenIsNotRetried() async throws {
        let conninfo = try TestPostgres.shared().conninfo()
        let admin = try PostgresConnection(conninfo: conninfo)
        defer { admin.close() }
        let table = "retry_probe_\(UInt32.random(in: 0...UInt32.max))"
        try admin.execute(script: "CREATE TABLE \(table) (n int)")
        var configuration = ConnectionPool.Configuration(conninfo: conninfo, size: 1)
        configuration.checksConnectionBeforeJob = false
        let pool = ConnectionPool(configuration)
        let insert = "INSERT INTO \(table) VALUES ($1::int4)"
        try await pool.withConnection { try $0.query(insert, [1]) }  // prepared now
        let pid = try await pool.withConnection { $0.processID }
        try terminate(pid, conninfo: conninfo)
        let attempts = Mutex(0)
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { connection in
                attempts.withLock { $0 += 1 }
                try connection.query(insert, [2])
            }
        }
        #expect(error?.kind == .connection)
        #expect(attempts.withLock { $0 } == 1)
        await pool.shutdown()
        try admin.execute(script: "DROP TABLE \(table)")
    }

    private func terminate(_ pid: Int32, conninfo: String) throws {
        let admin = try PostgresConnection(conninfo: conninfo)
        defer { admin.close() }
        try admin.query("SELECT pg_terminate_backend($1::int4, 5000)", [pid])
    }
}

/// COMMIT whose answer never arrives: a synchronous standby that does not
/// exist keeps COMMIT waiting after the local commit; terminating the backend
/// then loses the reply. The transaction did commit, and the client is told
/// the outcome is unknown rather than "nothing was changed".
@Suite struct LostCommitReplyTests {
    @Test func lostCommitReplyIsAnUnknownOutcomeNotARollback() async throws {
        let cluster = try TestPostgres.makeScratchCluster(settings: [
            "synchronous_commit": "on", "synchronous_standby_names": "no_such_standby",
        ])
        defer { try? cluster.stop() }
        let conninfo = cluster.conninfo()
        let admin = try PostgresConnection(conninfo: conninfo)
        defer { admin.close() }
        // The table itself must exist without waiting for the standby.
        try admin.execute(script: "SET synchronous_commit = local; CREATE TABLE lost_reply (n int)")
        let pool = ConnectionPool(.init(conninfo: conninfo, size: 1))
        let pid = try await pool.withConnection { $0.processID }
        let committing = Task {
            try await pool.transaction { connection in
                try connection.query("INSERT INTO lost_reply VALUES (7)")
            }
        }
        // Wait until the backend waits for the standby, then cut it off.
        try await waitUntil {
            try admin.query("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1::int4 AND wait_event = 'SyncRep'", [pid])
                .firstRow().decode("n", as: Int.self) == 1
        }
        try admin.query("SELECT pg_terminate_backend($1::int4)", [pid])
        let error = await #expect(throws: PostgresError.self) { try await committing.value }
        #expect(error?.kind == .commitOutcomeUnknown, "\(String(describing: error))")
        // It did commit (locally): exactly what "outcome unknown" warns of.
        #expect(try admin.query("SELECT count(*) AS n FROM lost_reply").firstRow().decode("n", as: Int.self) == 1)
        await pool.shutdown()
    }
}
