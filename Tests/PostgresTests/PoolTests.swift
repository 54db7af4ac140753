import Dispatch
import Foundation
@testable import Postgres
import Synchronization
import TestSupport
import Testing

/// `ConnectionPool` against a real server.
@Suite struct PoolTests {
    /// Session settings hold on a new connection and again after it was
    /// replaced (here: its backend terminated).
    @Test func sessionSettingsApplyToNewAndReopenedConnections() async throws {
        let pool = ConnectionPool(.init(
            conninfo: try TestPostgres.shared().conninfo(), size: 1, sessionSettings: ["jit": "off", "work_mem": "5MB"]))
        let show = { @Sendable in
            try await pool.withConnection { connection in
                [try connection.query("SHOW jit").rows[0].decode(0, as: String.self),
                 try connection.query("SHOW work_mem").rows[0].decode(0, as: String.self)]
            }
        }
        #expect(try await show() == ["off", "5MB"])
        _ = try? await pool.withConnection { connection in
            try connection.query("SELECT pg_terminate_backend(pg_backend_pid())")
        }
        #expect(try await show() == ["off", "5MB"])
        #expect(pool.statistics.connectsTotal == 2)
        await pool.shutdown()
    }

    @Test func concurrentJobsAllCompleteOnTwoConnections() async throws {
        let pool = ConnectionPool(.init(conninfo: try TestPostgres.shared().conninfo(), size: 2))
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<40 {
                group.addTask {
                    try await pool.withConnection { connection in
                        try connection.query("select $1::int8 * 2 as doubled", [n]).first!.decode("doubled", as: Int.self)
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results.sorted() == (0..<40).map { $0 * 2 })
        let statistics = pool.statistics
        #expect(statistics.connectsTotal == 2)
        #expect(statistics.busy == 0)
        #expect(statistics.idle == 2)
        #expect(statistics.waiting == 0)
        await pool.shutdown()
    }

    /// Waiters queued together time out together: one timer thread serves
    /// their deadlines (`AcquireDeadlines`), each fails once, and a job that
    /// got a connection in time is never failed by its deadline later.
    @Test func aWaveOfWaitersTimesOutOnceEach() async throws {
        let pool = ConnectionPool(
            .init(conninfo: try TestPostgres.shared().conninfo(), size: 1, acquireTimeout: .milliseconds(300)))
        // A waiter served in time: its deadline passes after it finished, and nothing fails.
        let first = DispatchSemaphore(value: 0)
        let early = Task { try await pool.withConnection { _ in first.wait() } }
        try await waitUntil { pool.statistics.busy == 1 }
        let served = Task { try await pool.withConnection { _ in 1 } }
        try await waitUntil { pool.statistics.waiting == 1 }
        first.signal()
        try await early.value
        #expect(try await served.value == 1)
        try await Task.sleep(for: .milliseconds(500))
        #expect(pool.statistics.timeoutsTotal == 0)

        let release = DispatchSemaphore(value: 0)
        let holder = Task { try await pool.withConnection { _ in release.wait() } }
        try await waitUntil { pool.statistics.busy == 1 }
        let waiters = (0..<5).map { _ in
            Task { () -> PostgresError.Kind? in
                do {
                    try await pool.withConnection { _ in }
                    return nil
                } catch let error as PostgresError {
                    return error.kind
                }
            }
        }
        for waiter in waiters { #expect(try await waiter.value == .poolTimeout) }
        #expect(pool.statistics.timeoutsTotal == 5)
        #expect(pool.statistics.waiting == 0)
        release.signal()
        try await holder.value
        #expect(try await pool.withConnection { _ in 2 } == 2)
        #expect(pool.statistics.timeoutsTotal == 5)
        await pool.shutdown()
    }

    @Test func waiterTimesOutWhileAllConnectionsAreHeld() async throws {
        let pool = ConnectionPool(
            .init(conninfo: try TestPostgres.shared().conninfo(), size: 2, acquireTimeout: .milliseconds(200)))
        let release = DispatchSemaphore(value: 0)
        let holders = (0..<2).map { _ in
            Task {
                try await pool.withConnection { connection in
                    release.wait()
                    return try connection.query("select 1 as one").first!.decode("one", as: Int.self)
                }
            }
        }
        try await waitUntil { pool.statistics.busy == 2 }

        let ranLate = Flag()
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { _ in ranLate.set() }
        }
        #expect(error?.kind == .poolTimeout)
        #expect(error?.message == "no database connection free within 200 ms (pool size 2)")
        #expect(pool.statistics.timeoutsTotal == 1)
        #expect(pool.statistics.waiting == 0)

        release.signal()
        release.signal()
        for holder in holders { #expect(try await holder.value == 1) }
        // The pool works afterwards, and the timed-out job never ran.
        #expect(try await pool.withConnection { _ in 5 } == 5)
        #expect(!ranLate.isSet)
        await pool.shutdown()
    }

    /// With one place for limited jobs in a pool of two, a second limited job
    /// waits while the first runs, long work passes it on the free connection,
    /// and it runs when the first ends.
    @Test func limitedJobsQueueBehindTheLimitAndLongWorkPasses() async throws {
        let pool = ConnectionPool(.init(conninfo: try TestPostgres.shared().conninfo(), size: 2,
                                        acquireTimeout: .seconds(60), limitedJobs: 1))
        let release = DispatchSemaphore(value: 0)
        let first = Task {
            try await pool.withConnection(kind: .limited) { connection in
                release.wait()
                return try connection.query("select 1 as one").first!.decode("one", as: Int.self)
            }
        }
        try await waitUntil { pool.statistics.limitedBusy == 1 }
        let second = Task { try await pool.withConnection(kind: .limited) { _ in 2 } }
        try await waitUntil { pool.statistics.waiting == 1 }
        // Unlimited work takes the free connection meanwhile.
        #expect(try await pool.withConnection { connection in
            try connection.query("select 3 as three").first!.decode("three", as: Int.self)
        } == 3)
        #expect(pool.statistics.waiting == 1)
        release.signal()
        #expect(try await first.value == 1)
        #expect(try await second.value == 2)
        #expect(pool.statistics.limit == 1)
        #expect(pool.statistics.limitedBusy == 0)
        await pool.shutdown()
    }

    /// A limited job that waits for the limit past the acquire timeout fails
    /// as any waiter does, and says why a free connection did not serve it.
    @Test func limitedWaiterTimesOutWithAFreeConnection() async throws {
        let pool = ConnectionPool(.init(conninfo: try TestPostgres.shared().conninfo(), size: 2,
                                        acquireTimeout: .milliseconds(200), limitedJobs: 1))
        let release = DispatchSemaphore(value: 0)
        let holder = Task { try await pool.withConnection(kind: .limited) { _ in release.wait() } }
        try await waitUntil { pool.statistics.limitedBusy == 1 }
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection(kind: .limited) { _ in 0 }
        }
        #expect(error?.kind == .poolTimeout)
        #expect(error?.message == "no database connection free within 200 ms (pool size 2, 1 of them for commands at once)")
        release.signal()
        try await holder.value
        await pool.shutdown()
    }

    @Test func shutdownFailsWaitersAndLetsRunningBodiesFinish() async throws {
        let pool = ConnectionPool(
            .init(conninfo: try TestPostgres.shared().conninfo(), size: 1, acquireTimeout: .seconds(60)))
        let release = DispatchSemaphore(value: 0)
        let holder = Task {
            try await pool.withConnection { connection in
                release.wait()
                return try connection.query("select 'done' as state").first!.decode("state", as: String.self)
            }
        }
        try await waitUntil { pool.statistics.busy == 1 }
        let waiter = Task { try await pool.withConnection { _ in "ran" } }
        try await waitUntil { pool.statistics.waiting == 1 }

        let shutdown = Task { await pool.shutdown() }
        let waiterError = await #expect(throws: PostgresError.self) { try await waiter.value }
        #expect(waiterError?.kind == .poolClosed)

        let late = await #expect(throws: PostgresError.self) { try await pool.withConnection { _ in 1 } }
        #expect(late?.kind == .poolClosed)

        release.signal()
        #expect(try await holder.value == "done")
        await shutdown.value
        #expect(pool.statistics.busy == 0)
        #expect(pool.statistics.idle == 0)
    }

    @Test func shutdownOfUnusedPoolReturns() async throws {
        let pool = ConnectionPool(.init(conninfo: "host=/nonexistent", size: 3))
        await pool.shutdown()
        await pool.shutdown()
    }

    @Test func transactionRollsBackWhenBodyThrows() async throws {
        struct Boom: Error {}
        let pool = ConnectionPool(.init(conninfo: try TestPostgres.createDatabase(), size: 2))
        try await pool.withConnection { try $0.execute(script: "create table log (line text)") }
        await #expect(throws: Boom.self) {
            try await pool.transaction { connection in
                try connection.query("insert into log values ($1::text)", ["lost"])
                throw Boom()
            }
        }
        try await pool.transaction { connection in
            try connection.query("insert into log values ($1::text)", ["kept"])
        }
        let lines = try await pool.withConnection { connection in
            try connection.query("select line from log").rows.map { try $0.decode("line", as: String.self) }
        }
        #expect(lines == ["kept"])
        await pool.shutdown()
    }

    @Test func transactionLeftOpenByBodyIsRolledBack() async throws {
        let pool = ConnectionPool(.init(conninfo: try TestPostgres.createDatabase(), size: 1))
        try await pool.withConnection { try $0.execute(script: "create table t (x int4)") }
        try await pool.withConnection { connection in
            try connection.execute(script: "begin; insert into t values (1)")
        }
        let (open, count) = try await pool.withConnection { connection in
            (connection.isInTransaction, try connection.query("select count(*) as n from t").first!.decode("n", as: Int.self))
        }
        #expect(!open)
        #expect(count == 0)
        await pool.shutdown()
    }

    @Test func unreachableDatabaseIsAConnectionErrorAndPoolStaysUsable() async throws {
        let pool = ConnectionPool(.init(conninfo: "host=/nonexistent-socket-dir port=1", size: 1))
        for _ in 0..<2 {
            let error = await #expect(throws: PostgresError.self) { try await pool.withConnection { _ in 1 } }
            #expect(error?.kind == .connection)
        }
        #expect(pool.statistics.busy == 0)
        await pool.shutdown()
    }

    @Test func terminatedBackendIsReplacedTransparently() async throws {
        let conninfo = try TestPostgres.shared().conninfo()
        let pool = ConnectionPool(.init(conninfo: conninfo, size: 1))
        let pid = try await pool.withConnection { $0.processID }
        let admin = try PostgresConnection(conninfo: conninfo)
        try admin.query("select pg_terminate_backend($1::int4)", [pid])
        try await waitUntil {
            try admin.query("select count(*) as n from pg_stat_activity where pid = $1::int4", [pid])
                .first!.decode("n", as: Int.self) == 0
        }
        admin.close()
        let newPID = try await pool.withConnection { connection in
            _ = try connection.query("select 1")
            return connection.processID
        }
        #expect(newPID != pid)
        #expect(pool.statistics.connectsTotal == 2)
        await pool.shutdown()
    }

    @Test func errorsThrownByBodyPassThrough() async throws {
        struct Custom: Error, Equatable { var code: Int }
        let pool = ConnectionPool(.init(conninfo: try TestPostgres.shared().conninfo(), size: 1))
        await #expect(throws: Custom(code: 7)) { try await pool.withConnection { _ in throw Custom(code: 7) } }
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { try $0.query("select 1/0") }
        }
        #expect(error?.sqlState == "22012")
        #expect(pool.statistics.connectsTotal == 1)
        await pool.shutdown()
    }
}

/// Recovery after the server restarts. Uses a cluster of its own so other
/// tests (running in parallel on the shared cluster) are not disturbed.
@Suite struct RestartRecoveryTests {
    @Test func nextJobAfterServerRestartSucceeds() async throws {
        let cluster = try TestPostgres.makeScratchCluster()
        defer { try? cluster.stop() }
        let pool = ConnectionPool(.init(conninfo: cluster.conninfo(), size: 2))
        // Warm both connections, with a cached prepared statement each.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await pool.withConnection { connection in
                        _ = try connection.query("select pg_sleep(0.05), $1::int8 as n", [1])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(pool.statistics.connectsTotal == 2)

        try cluster.restart()

        for n in 0..<4 {
            let value = try await pool.withConnection { connection in
                try connection.query("select pg_sleep(0.05), $1::int8 as n", [n]).first!.decode("n", as: Int.self)
            }
            #expect(value == n)
        }
        let transactional = try await pool.transaction { connection in
            try connection.query("select 42 as answer").first!.decode("answer", as: Int.self)
        }
        #expect(transactional == 42)
        await pool.shutdown()
    }

    @Test func jobDuringOutageFailsWithConnectionErrorThenPoolRecovers() async throws {
        let cluster = try TestPostgres.makeScratchCluster()
        defer { try? cluster.stop() }
        let pool = ConnectionPool(.init(conninfo: cluster.conninfo() + " connect_timeout=5", size: 1))
        #expect(try await pool.withConnection { try $0.query("select 1 as one").first!.decode("one", as: Int.self) } == 1)

        try cluster.stop()
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { try $0.query("select 1") }
        }
        #expect(error?.kind == .connection)

        try cluster.start()
        #expect(try await pool.withConnection { try $0.query("select 2 as two").first!.decode("two", as: Int.self) } == 2)
        await pool.shutdown()
    }
}

/// A thread-safe boolean for bodies running on pool threads.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// Polls `condition` until it holds (10 s at most), without blocking the cooperative pool.
func waitUntil(_ condition: () throws -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    for _ in 0..<1000 {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("condition not reached within 10 s", sourceLocation: sourceLocation)
    throw CancellationError()
}

/// The dead-connection rules, each layer on its own.
@Suite struct DeadConnectionTests {
    @Test func lostConnectionIsAConnectionErrorOnTheFirstRoundTrip() throws {
        let conninfo = try TestPostgres.shared().conninfo()
        let connection = try PostgresConnection(conninfo: conninfo)
        try connection.query("select 1")
        try terminate(connection.processID, conninfo: conninfo)
        let before = connection.roundTrips
        let error = #expect(throws: PostgresError.self) { try connection.query("select 1") }
        #expect(error?.kind == .connection)
        #expect(connection.roundTrips == before + 1)
        #expect(!connection.isConnected)
        try connection.reconnect()
        #expect(try connection.query("select 3 as n").first?.decode("n", as: Int.self) == 3)
    }

    @Test func poolRetriesJobWhoseFirstRoundTripHitADeadConnection() async throws {
        let conninfo = try TestPostgres.shared().conninfo()
        var configuration = ConnectionPool.Configuration(conninfo: conninfo, size: 1)
        configuration.checksConnectionBeforeJob = false
        let pool = ConnectionPool(configuration)
        let pid = try await pool.withConnection { $0.processID }
        try terminate(pid, conninfo: conninfo)
        let attempts = Mutex(0)
        let value = try await pool.withConnection { connection in
            attempts.withLock { $0 += 1 }
            return try connection.query("select 9 as n").first!.decode("n", as: Int.self)
        }
        #expect(value == 9)
        #expect(attempts.withLock { $0 } == 2)
        #expect(pool.statistics.connectsTotal == 2)
        await pool.shutdown()
    }

    @Test func poolDoesNotRetryAfterALaterRoundTrip() async throws {
        let conninfo = try TestPostgres.shared().conninfo()
        var configuration = ConnectionPool.Configuration(conninfo: conninfo, size: 1)
        configuration.checksConnectionBeforeJob = false
        let pool = ConnectionPool(configuration)
        let attempts = Mutex(0)
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { connection in
                attempts.withLock { $0 += 1 }
                try connection.query("select 1")
                // The server ends this session after the first statement succeeded.
                try connection.query("select pg_terminate_backend(pg_backend_pid())")
            }
        }
        #expect(error?.kind == .connection)
        #expect(attempts.withLock { $0 } == 1)
        // The broken connection is replaced before the next job.
        #expect(try await pool.withConnection { try $0.query("select 4 as n").first!.decode("n", as: Int.self) } == 4)
        #expect(pool.statistics.connectsTotal == 2)
        await pool.shutdown()
    }

    @Test func healthCheckNoticesTerminatedBackend() throws {
        let conninfo = try TestPostgres.shared().conninfo()
        let connection = try PostgresConnection(conninfo: conninfo)
        #expect(connection.checkHealth())
        try terminate(connection.processID, conninfo: conninfo)
        #expect(!connection.checkHealth())
    }

    private func terminate(_ pid: Int32, conninfo: String) throws {
        let admin = try PostgresConnection(conninfo: conninfo)
        defer { admin.close() }
        try admin.query("select pg_terminate_backend($1::int4, 5000)", [pid])
    }
}
