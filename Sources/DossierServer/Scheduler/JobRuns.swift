import Foundation
import Postgres

/// The scheduler's SQL on `dossier.job_runs`. Every function runs inside a
/// transaction the caller opened with `dossier.begin_system_command` (the
/// table's row security admits only an acting user or the system).
///
/// A claim is a leased row: a compare-and-set on the row version the planner
/// decided on (`claims`) that also requires any earlier lease to have run out
/// by the database's clock, committed before the work starts. The end of a run
/// is written in the run's own transaction, again only while the row still
/// carries that claim, so the work and its record commit together or not at all.
enum JobRuns {
    /// What the scheduler reads at each wake-up: the database's clock and time
    /// zone (the same for every daemon) and every job's row.
    struct Snapshot: Sendable {
        let now: Date
        let timeZone: TimeZone
        let states: [String: JobRunState]
    }

    /// A claim this daemon holds.
    struct Claim: Sendable, Hashable {
        let job: String
        let token: Int64
        let started: Date
    }

    /// Thrown inside a run's transaction when the claim was taken over
    /// (the lease ran out and another daemon claimed the job): the run's
    /// effects roll back, the other run's count.
    struct LeaseLost: Error, CustomStringConvertible {
        let job: String
        var description: String { "the lease of \(job) was taken over before the run ended; its work was rolled back" }
    }

    static func open(_ connection: PostgresConnection, as job: String) throws {
        try connection.query("SELECT dossier.begin_system_command($1::text)", [job])
    }

    /// Makes sure every job has its row and reads them all.
    static func snapshot(jobs: [String], on connection: PostgresConnection) throws -> Snapshot {
        for job in jobs {
            // An existing row is left alone (no row lock, no write).
            try connection.query("INSERT INTO job_runs (job) VALUES ($1::text) ON CONFLICT (job) DO NOTHING", [job])
        }
        let clock = try connection.query("""
            SELECT now() AS now, current_setting('TimeZone') AS zone, extract(timezone FROM now())::int AS offset_seconds
            """).firstRow()
        let zoneName = try clock.decode("zone", as: String.self)
        let offset = try clock.decode("offset_seconds", as: Int.self)
        // A zone name Foundation does not know falls back to the current offset.
        let zone = TimeZone(identifier: zoneName) ?? TimeZone(secondsFromGMT: offset) ?? TimeZone(secondsFromGMT: 0)!
        var states: [String: JobRunState] = [:]
        for row in try connection.query("""
            SELECT job, leased_by, lease_until, last_started, last_done, last_result, claims FROM job_runs
            """).rows {
            states[try row.decode("job", as: String.self)] = JobRunState(
                leasedBy: try row.decode("leased_by", as: String?.self),
                leaseUntil: try row.decode("lease_until", as: Date?.self),
                lastStarted: try row.decode("last_started", as: Date?.self),
                lastDone: try row.decode("last_done", as: Date?.self),
                lastResult: try row.decode("last_result", as: String?.self),
                claims: try row.decode("claims", as: Int64.self))
        }
        return Snapshot(now: try clock.decode("now", as: Date.self), timeZone: zone, states: states)
    }

    /// Claims `job` if its row still carries `token` and no lease is live; nil
    /// when another daemon got there first.
    static func claim(_ job: String, token: Int64, by daemon: String, lease: Duration,
                      on connection: PostgresConnection) throws -> Claim? {
        let row = try connection.query("""
            UPDATE job_runs
               SET leased_by = $3::text, lease_until = now() + make_interval(secs => $4::float8),
                   last_started = now(), claims = claims + 1
             WHERE job = $1::text AND claims = $2::int8 AND (lease_until IS NULL OR lease_until <= now())
            RETURNING claims, last_started
            """, [job, token, daemon, lease.inSeconds]).rows.first
        guard let row else { return nil }
        return Claim(job: job, token: try row.decode("claims", as: Int64.self),
                     started: try row.decode("last_started", as: Date.self))
    }

    /// Records the end of a run in the run's own transaction.
    static func finish(_ claim: Claim, result: String, on connection: PostgresConnection) throws {
        let updated = try connection.query("""
            UPDATE job_runs SET last_done = clock_timestamp(), last_result = $3::text, leased_by = NULL, lease_until = NULL
             WHERE job = $1::text AND claims = $2::int8
            """, [claim.job, claim.token, result])
        guard updated.affectedRows == 1 else { throw LeaseLost(job: claim.job) }
    }

    /// Gives the job back after a failed run: the failure is recorded, the
    /// last completion stays, and the planner retries after its delay.
    static func release(_ claim: Claim, failure: String, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE job_runs SET last_result = $3::text, leased_by = NULL, lease_until = NULL
             WHERE job = $1::text AND claims = $2::int8
            """, [claim.job, claim.token, failure])
    }

    /// Gives the job back after its run was abandoned at a shutdown deadline:
    /// the lease is made to have run out now, so that, as after a crash, the
    /// next daemon to look runs the job again at once (no retry delay).
    static func abandon(_ claim: Claim, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE job_runs SET lease_until = now(), last_result = 'abandoned at shutdown'
             WHERE job = $1::text AND claims = $2::int8
            """, [claim.job, claim.token])
    }

    /// Extends a live claim; false when it is no longer this daemon's.
    static func renew(_ claim: Claim, by daemon: String, lease: Duration, on connection: PostgresConnection) throws -> Bool {
        try connection.query("""
            UPDATE job_runs SET lease_until = now() + make_interval(secs => $4::float8)
             WHERE job = $1::text AND claims = $2::int8 AND leased_by = $3::text
            """, [claim.job, claim.token, daemon, lease.inSeconds]).affectedRows == 1
    }
}
