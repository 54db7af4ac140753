import Dispatch
import Foundation
@testable import Postgres
import TestSupport
import Testing

/// `ConnectionPool.groupedTransaction` against a real server: transactions
/// queued together share one commit, each gets its own answers, and a failure
/// in a group leaves each transaction's outcome its own.
@Suite struct CommitGroupTests {
    /// A pool with one command slot, held by a job until `release` is
    /// signalled, so that grouped transactions queue behind it.
    private struct HeldPool {
        let pool: ConnectionPool
        let release = DispatchSemaphore(value: 0)
        let holder: Task<Void, any Error>
        let table: String

        init() async throws {
            pool = ConnectionPool(.init(conninfo: try TestPostgres.shared().conninfo(), size: 3,
                                        acquireTimeout: .seconds(60), limitedJobs: 1, commitGroupLimit: 8))
            // A fixed prefix and a random number: no outside text in the name.
            table = "grouped_\(UInt32.random(in: 0...UInt32.max))"
            try await pool.withConnection { [table] connection in
                try connection.execute(script: "CREATE TABLE \(table) (n int4 PRIMARY KEY, tx int8 NOT NULL)")
            }
            let release = self.release
            holder = Task { [pool] in try await pool.withConnection(kind: .limited) { _ in release.wait() } }
            try await waitUntil { [pool] in pool.statistics.limitedBusy == 1 }
        }

        func insert(_ n: Int) -> [PipelinedStatement] {
            [PipelinedStatement("INSERT INTO \(table) VALUES ($1::int4, txid_current()) RETURNING n, tx", [n]),
             PipelinedStatement("SELECT $1::int4 * 10 AS tenfold", [n])]
        }

        /// One grouped transaction per number in `numbers`, each answering the `n` it inserted.
        func members(
            _ numbers: ClosedRange<Int>, _ statements: @escaping @Sendable (Int) -> [PipelinedStatement]
        ) -> [Task<Int, any Error>] {
            numbers.map { n in
                Task { [pool] in
                    try await pool.groupedTransaction(statements(n)) { answers in
                        try answers[0].firstRow().decode("n", as: Int.self)
                    }
                }
            }
        }

        func rows() async throws -> [Int] {
            try await pool.withConnection { [table] connection in
                try connection.query("SELECT n FROM \(table) ORDER BY n").rows.map { try $0.decode("n", as: Int.self) }
            }
        }

        /// Waits for the slot's holder, drops the table, shuts the pool down.
        func end() async throws {
            try await holder.value
            try await pool.withConnection { [table] connection in try connection.execute(script: "DROP TABLE \(table)") }
            await pool.shutdown()
        }
    }

    @Test func transactionsQueuedTogetherShareOneCommitAndKeepTheirAnswers() async throws {
        let held = try await HeldPool()
        let members = (1...6).map { n in
            Task { [held] in
                try await held.pool.groupedTransaction(held.insert(n)) { answers in
                    (n: try answers[0].firstRow().decode("n", as: Int.self),
                     tx: try answers[0].firstRow().decode("tx", as: Int64.self),
                     tenfold: try answers[1].firstRow().decode("tenfold", as: Int.self))
                }
            }
        }
        try await waitUntil { held.pool.groupedWaiting == 6 }
        #expect(held.pool.statistics.waiting == 1)  // one carrier queued for all six
        held.release.signal()
        var transactions: Set<Int64> = []
        for (index, member) in members.enumerated() {
            let answer = try await member.value
            #expect(answer.n == index + 1)
            #expect(answer.tenfold == (index + 1) * 10)
            transactions.insert(answer.tx)
        }
        #expect(transactions.count == 1)
        #expect(held.pool.groupedCommits.groups == 1)
        #expect(held.pool.groupedCommits.members == 6)
        #expect(try await held.rows() == [1, 2, 3, 4, 5, 6])
        try await held.end()
    }

    /// A member the server refuses aborts the group before its commit: the
    /// others run again alone and commit once each; the refused one gets its
    /// own error and writes nothing.
    @Test func aRefusedMemberFailsAloneAndTheOthersCommitOnce() async throws {
        let held = try await HeldPool()
        // The third divides by zero after its insert.
        let members = held.members(1...4) { n in
            n == 3 ? [held.insert(n)[0], PipelinedStatement("SELECT 1 / $1::int4 AS q", [0])] : held.insert(n)
        }
        try await waitUntil { held.pool.groupedWaiting == 4 }
        held.release.signal()
        for (index, member) in members.enumerated() where index != 2 {
            #expect(try await member.value == index + 1)
        }
        let error = await #expect(throws: PostgresError.self) { try await members[2].value }
        #expect(error?.sqlState == "22012")
        #expect(try await held.rows() == [1, 2, 4])
        #expect(held.pool.groupedCommits.groups == 0)
        try await held.end()
    }

    /// A member whose caller gives up while it waits leaves the group and
    /// writes nothing; the others commit.
    @Test func aMemberCancelledWhileWaitingLeavesItsGroup() async throws {
        let held = try await HeldPool()
        let members = held.members(1...3) { held.insert($0) }
        try await waitUntil { held.pool.groupedWaiting == 3 }
        members[1].cancel()
        try await waitUntil { held.pool.groupedWaiting == 2 }
        held.release.signal()
        #expect(try await members[0].value == 1)
        #expect(try await members[2].value == 3)
        await #expect(throws: CancellationError.self) { try await members[1].value }
        #expect(try await held.rows() == [1, 3])
        try await held.end()
    }

    /// A member whose caller gives up while its group runs interrupts the
    /// group's transaction (PQcancel): it fails with `CancellationError`,
    /// and the others run again alone and commit once each.
    @Test func aMemberCancelledWhileItsGroupRunsInterruptsItAndTheOthersRunAlone() async throws {
        let held = try await HeldPool()
        // The second sleeps in the group, long enough to be cancelled there.
        let members = held.members(1...3) { n in
            n == 2 ? held.insert(n) + [PipelinedStatement("SELECT pg_sleep($1::float8) IS NULL AS slept", [30.0])]
                : held.insert(n)
        }
        try await waitUntil { held.pool.groupedWaiting == 3 }
        held.release.signal()
        try await waitUntil { held.pool.groupedWaiting == 0 && held.pool.statistics.limitedBusy == 1 }
        try await Task.sleep(for: .milliseconds(200))  // the group is in pg_sleep
        members[1].cancel()
        #expect(try await members[0].value == 1)
        #expect(try await members[2].value == 3)
        await #expect(throws: CancellationError.self) { try await members[1].value }
        #expect(try await held.rows() == [1, 3])
        try await held.end()
    }

    /// Alone in the queue, a grouped transaction runs as a transaction of its
    /// own, and a refusal is its own error without a second run.
    @Test func aLoneMemberRunsOnceAndGetsItsErrorDirectly() async throws {
        let pool = ConnectionPool(.init(conninfo: try TestPostgres.shared().conninfo(), size: 1, commitGroupLimit: 8))
        let sequence = "grouped_seq_\(UInt32.random(in: 0...UInt32.max))"
        try await pool.withConnection { connection in try connection.execute(script: "CREATE SEQUENCE \(sequence)") }
        let error = await #expect(throws: PostgresError.self) {
            try await pool.groupedTransaction([PipelinedStatement("SELECT nextval('\(sequence)') AS v", []),
                                               PipelinedStatement("SELECT 1 / $1::int4 AS q", [0])]) { _ in 0 }
        }
        #expect(error?.sqlState == "22012")
        // nextval is not rolled back: one run drew one number.
        let next = try await pool.withConnection { connection in
            try connection.query("SELECT nextval('\(sequence)') AS v").firstRow().decode("v", as: Int.self)
        }
        #expect(next == 2)
        #expect(pool.groupedCommits.groups == 0)
        try await pool.withConnection { connection in try connection.execute(script: "DROP SEQUENCE \(sequence)") }
        await pool.shutdown()
    }

    /// The next group does its work while the previous one's COMMIT waits
    /// (here for a lock the test holds; in life, for the disk): one carrier
    /// at a time is a turn at work, not a turn at the disk.
    @Test func theNextGroupWorksWhileTheLastCommitWaits() async throws {
        let conninfo = try TestPostgres.shared().conninfo()
        let pool = ConnectionPool(.init(conninfo: conninfo, size: 3, acquireTimeout: .seconds(60), limitedJobs: 2,
                                        commitGroupLimit: 8))
        // A fixed prefix and a random number: no outside text in the names.
        let suffix = UInt32.random(in: 0...UInt32.max)
        let key = Int64(suffix)
        let (held, free) = ("grouped_held_\(suffix)", "grouped_free_\(suffix)")
        let holder = try PostgresConnection(conninfo: conninfo)
        defer { holder.close() }
        try holder.execute(script: "CREATE TABLE \(held) (n int4); CREATE TABLE \(free) (n int4);"
            + commitsWaitForLock(table: held, function: "\(held)_wait", key: key))
        try holder.query("SELECT pg_advisory_lock($1::int8)", [key])
        let first = Task {
            try await pool.groupedTransaction([PipelinedStatement("INSERT INTO \(held) VALUES ($1::int4) RETURNING n", [1])]) {
                try $0[0].firstRow().decode("n", as: Int.self)
            }
        }
        // The first group's COMMIT now waits for the lock; the second commits meanwhile.
        try await waitUntil { pool.statistics.limitedBusy == 1 }
        let second = try await pool.groupedTransaction(
            [PipelinedStatement("INSERT INTO \(free) VALUES ($1::int4) RETURNING n", [2])]) {
                try $0[0].firstRow().decode("n", as: Int.self)
            }
        #expect(second == 2)
        try holder.query("SELECT pg_advisory_unlock($1::int8)", [key])
        #expect(try await first.value == 1)
        try holder.execute(script: "DROP TABLE \(held); DROP TABLE \(free); DROP FUNCTION \(held)_wait()")
        await pool.shutdown()
    }
}
