import DossierDomain
import DossierProtocol
import Postgres

/// `PENALTY SWEEP [date=]`: the automatic detection of RULES.md "Penalties",
/// also run daily by the scheduler. Set-based: one statement finds every
/// occurrence of `OVERDUE_LOAN`, `LATE_FILING` and `STALE_CUSTOMER` up to the
/// evaluation moment and charges those not charged yet through `PenaltyLedger`.
/// When occurrences fall is `ViolationSchedule` (DossierDomain), which this SQL
/// mirrors; deploy/PROTOCOL-NOTES.md "Penalties" says it in words.
enum ViolationSweep {
    /// What one sweep charged.
    struct Outcome: Sendable, Equatable {
        /// New penalty rows, by rule code.
        var chargedByRule: [String: Int] = [:]
        var charged: Int { chargedByRule.values.reduce(0, +) }
        /// The counts by rule code, in code order (for reports).
        var byRule: [(rule: String, count: Int)] { chargedByRule.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }

    /// The transaction-level advisory lock that serializes sweeps across
    /// every daemon on the database ("dossSWEP").
    static let advisoryLockKey: Int64 = 0x646F_7373_5357_4550

    /// `PENALTY SWEEP` as a user command (who may is the command table's): `sweep` and the
    /// deletion purge as the system, in this one transaction.
    static func run(_ command: PenaltySweep, actor: Actor, on connection: PostgresConnection) throws -> Response {
        try refuseFuture(command.date, on: connection)
        try LongRunningWork.allow(on: connection)
        // Company-wide work: as the system, so that row-level security hides nothing.
        try connection.query("SELECT dossier.begin_system_command('sweep')")
        if command.dryRun { return try preview(asOf: command.date, on: connection) }
        let outcome = try sweep(asOf: command.date, on: connection)
        let purged = try DeletionPurge.purge(asOf: command.date, on: connection)
        // The audit row names the user who asked for the sweep.
        try connection.query("SELECT 1 FROM dossier.begin_command($1::int8)", [actor.userID])
        try Audit.record(connection, action: "penalty.sweep", target: command.date?.description ?? "",
                         detail: (["charged=\(outcome.charged)"] + outcome.byRule.map { "\($0.rule)=\($0.count)" }
                                  + ["purged=\(purged)"]).joined(separator: " "))
        return .ok(String(outcome.charged))
    }

    /// A day that has not begun cannot be evaluated: it would charge penalties
    /// dated in the future (and purge ahead of the deletion grace). Today is
    /// the database's `current_date` (the session's time zone, the company's).
    static func refuseFuture(_ date: CalendarDate?, on connection: PostgresConnection) throws {
        guard let date else { return }
        let future = try connection.query("SELECT $1::date > current_date AS future", [date.description])
            .firstRow().decode("future", as: Bool.self)
        if future { throw ProtocolError.invalid("date", "\(date) is in the future") }
    }

    /// `dry_run=yes`: what `sweep(asOf:)` would charge now, written nowhere (no
    /// penalty, counter, purge or audit row): rows `dept= user= rule= count=
    /// amount=`, final `OK <rows> charged=<n> amount=<yuan>`.
    static func preview(asOf date: CalendarDate?, on connection: PostgresConnection) throws -> Response {
        var total = 0
        var amount = Money.zero
        let rows = try connection.query(PenaltyLedger.preview(candidates: occurrences), [date?.description]).rows.map { row in
            let count = try row.decode("charged", as: Int.self)
            let fen = Money(fen: try row.decode("amount_fen", as: Int64.self))
            total += count
            amount = amount + fen
            var out = Row()
            out.append("dept", try row.decode("dept", as: String.self))
            out.append("user", try row.decode("login", as: String.self))
            out.append("rule", try row.decode("rule_code", as: String.self))
            out.append("count", String(count))
            out.append("amount", fen)
            return out
        }
        return .rows(rows, suffix: "charged=\(total) amount=\(amount)")
    }

    /// Charges every automatic violation as of the end of `date` (nil: as of
    /// now) that is not charged yet. Runs inside the caller's READ COMMITTED
    /// transaction, which has been opened with `dossier.begin_system_command`
    /// (scheduler, or `run` above); idempotent.
    ///
    /// The advisory lock is taken in a statement of its own, first: a sweep that
    /// waited for another one then plans its charge with a snapshot that
    /// contains everything the other committed, and charges nothing twice (the
    /// unique index `penalties_once_per_period` would refuse it anyway).
    static func sweep(asOf date: CalendarDate?, on connection: PostgresConnection) throws -> Outcome {
        let context = try connection.query("""
            SELECT current_setting('transaction_isolation') AS isolation,
                   coalesce(current_setting('dossier.role', true), '') AS role
              FROM (SELECT pg_advisory_xact_lock($1::int8)) AS serialized
            """, [advisoryLockKey]).firstRow()
        guard try context.decode("role", as: String.self) == "system" else {
            throw ProtocolError(.internal, "the penalty sweep runs only as the system")
        }
        guard try context.decode("isolation", as: String.self) == "read committed" else {
            throw ProtocolError(.internal, "the penalty sweep needs a READ COMMITTED transaction")
        }
        let charged = try PenaltyLedger.charge(candidates: occurrences, parameters: [date?.description], on: connection)
        return Outcome(chargedByRule: charged)
    }

    /// Every occurrence of an automatic violation up to the evaluation moment
    /// `m` — the end of day `$1` (midnight starting the next day, server time
    /// zone), or now() when `$1` is NULL — in `PenaltyLedger.candidateColumns`.
    /// `last_day` is the last day that has ended at `m`.
    ///
    /// A violation begins on `first_day` (see `ViolationSchedule`) and may
    /// have been corrected on `corrected_on`:
    /// - `OVERDUE_LOAN`: a loan out past its due time (before `m`), dated the due
    ///   day; corrected by its return. Loans still out, and loans returned late
    ///   during the 40 days before `m` (so that a return between the end of a
    ///   day and the next sweep does not lose that day's occurrence, and a
    ///   back-filling sweep sees loans returned since).
    /// - `LATE_FILING`: a dossier not submitted by the end of its deadline — the
    ///   N-th working day after its creation day, N = `dossier.filing_working_days`
    ///   of the owner's line — dated the deadline day; corrected by its first
    ///   submission (a filing request). Drafts never submitted, and dossiers
    ///   first submitted during the 40 days before `m`.
    /// - `STALE_CUSTOMER`: an open customer whose `updated_at` + 1 month is
    ///   before `m`, dated that day; corrected by the next update, after which
    ///   its earlier staleness is no longer known (only customers stale at `m`).
    /// - `LATE_FOLLOWUP` (migration 0060, shipped switched off): a follow-up
    ///   visit whose due day has ended unrecorded, dated the due day; corrected
    ///   by its record. Open visits, and visits recorded late during the 40
    ///   days before `m`.
    /// Occurrence 1 is dated `first_day`; one more is dated each working day `d`
    /// with `first_day < d <= upto`, `upto` = `last_day`, or the day before the
    /// correction if that is earlier.
    ///
    /// Working days come from one table over the span of days involved, each
    /// with `wi` = the number of working days up to it. The working days after
    /// `first_day` up to `upto` are those numbered `wi(first_day)+1 … wi(upto)`,
    /// found by equality joins, and the deadline of a draft is the working day
    /// numbered `wi(created) + N`. Loans are read through the partial indexes
    /// `loans_due_idx` (out) and `loans_late_return_idx` (returned late).
    /// Rules switched to `auto = false` are not swept.
    static let occurrences = """
        WITH asof AS MATERIALIZED (
            SELECT m, m::date - 1 AS last_day, m - interval '40 days' AS recent
              FROM (SELECT CASE WHEN $1::date IS NULL THEN now() ELSE ($1::date + 1)::timestamptz END AS m) s
        ),
        overdue AS MATERIALIZED (
            SELECT l.id, l.borrower_id, l.due_at, NULL::timestamptz AS returned_at
              FROM dossier.loans l
             WHERE l.status = 'out' AND l.due_at < (SELECT m FROM asof)
            UNION ALL
            SELECT l.id, l.borrower_id, l.due_at, l.returned_at
              FROM dossier.loans l
             WHERE l.status = 'returned' AND l.returned_at > l.due_at
               AND l.returned_at > (SELECT recent FROM asof) AND l.due_at < (SELECT m FROM asof)
        ),
        stale AS MATERIALIZED (
            SELECT cu.id, cu.owner_id, (cu.updated_at + interval '1 month')::date AS first_day
              FROM dossier.customers cu
             WHERE cu.closed_on IS NULL AND cu.purged_at IS NULL
               -- A month is at least 28 days: the index (customers_stale_idx) narrows, the exact test decides.
               AND cu.updated_at < (SELECT m FROM asof) - interval '27 days'
               AND cu.updated_at + interval '1 month' < (SELECT m FROM asof)
        ),
        late AS MATERIALIZED (
            SELECT d.id, d.owner_id, d.created_at::date AS created_on, NULL::date AS corrected_on, u.line
              FROM dossier.dossiers d JOIN dossier.users u ON u.id = d.owner_id
             WHERE d.status = 'draft' AND d.created_at < (SELECT m FROM asof)
               AND NOT EXISTS (SELECT 1 FROM dossier.approvals ap WHERE ap.dossier_id = d.id AND ap.kind = 'file')
            UNION ALL
            SELECT d.id, d.owner_id, d.created_at::date, s.first_request::date, u.line
              FROM (SELECT ap.dossier_id, min(ap.created_at) AS first_request FROM dossier.approvals ap
                     WHERE ap.kind = 'file' AND ap.created_at > (SELECT recent FROM asof)
                     GROUP BY ap.dossier_id) s
              JOIN dossier.dossiers d ON d.id = s.dossier_id
              JOIN dossier.users u ON u.id = d.owner_id
             WHERE d.created_at < (SELECT m FROM asof)
               AND NOT EXISTS (SELECT 1 FROM dossier.approvals e
                                WHERE e.dossier_id = d.id AND e.kind = 'file' AND e.created_at <= (SELECT recent FROM asof))
        ),
        lapsed AS MATERIALIZED (
            SELECT f.id, f.assignee_id, f.customer_id, f.due_on, NULL::date AS corrected_on
              FROM dossier.followups f
             WHERE f.status = 'open' AND f.due_on <= (SELECT last_day FROM asof)
            UNION ALL
            SELECT f.id, f.assignee_id, f.customer_id, f.due_on, f.visited_on
              FROM dossier.followups f
             WHERE f.status = 'done' AND f.visited_on > f.due_on AND f.recorded_at > (SELECT recent FROM asof)
               AND f.due_on <= (SELECT last_day FROM asof)
        ),
        span AS (
            SELECT least((SELECT min(due_at)::date FROM overdue), (SELECT min(first_day) FROM stale),
                         (SELECT min(created_on) FROM late), (SELECT min(due_on) FROM lapsed), a.last_day) AS lo,
                   a.last_day + 1 AS hi
              FROM asof a
        ),
        days AS MATERIALIZED (
            SELECT x.day, x.working, (count(*) FILTER (WHERE x.working) OVER (ORDER BY x.day))::int4 AS wi
              FROM (SELECT sp.lo + i AS day, coalesce(c.kind = 'workday', extract(isodow FROM sp.lo + i) < 6) AS working
                      FROM span sp
                     CROSS JOIN generate_series(0, sp.hi - sp.lo) AS i
                      LEFT JOIN dossier.calendar_days c ON c.day = sp.lo + i) x
        ),
        workdays AS MATERIALIZED (
            SELECT day, wi FROM days WHERE working
        ),
        violation AS MATERIALIZED (
            SELECT 'OVERDUE_LOAN'::text AS rule_code, o.borrower_id AS user_id, 'loan:' || o.id AS violation_key,
                   o.due_at::date AS first_day, o.returned_at::date - 1 AS corrected_before,
                   o.id AS loan_id, NULL::int8 AS dossier_id, NULL::int8 AS customer_id
              FROM overdue o
            UNION ALL
            SELECT 'STALE_CUSTOMER'::text, s.owner_id, 'customer:' || s.id, s.first_day, NULL::date,
                   NULL::int8, NULL::int8, s.id
              FROM stale s
            UNION ALL
            SELECT 'LATE_FILING'::text, l.owner_id, 'dossier:' || l.id, w.day, l.corrected_on - 1,
                   NULL::int8, l.id, NULL::int8
              FROM late l
              JOIN days c ON c.day = l.created_on
              JOIN workdays w ON w.wi = c.wi + dossier.filing_working_days(l.line)
             WHERE w.day <= (SELECT last_day FROM asof)
               AND (l.corrected_on IS NULL OR l.corrected_on > w.day)
            UNION ALL
            SELECT 'LATE_FOLLOWUP'::text, f.assignee_id, 'followup:' || f.id, f.due_on, f.corrected_on - 1,
                   NULL::int8, NULL::int8, f.customer_id
              FROM lapsed f
        ),
        occurrence AS (
            SELECT v.rule_code, v.user_id, v.violation_key, v.loan_id, v.dossier_id, v.customer_id, v.first_day AS day
              FROM violation v
            UNION ALL
            SELECT v.rule_code, v.user_id, v.violation_key, v.loan_id, v.dossier_id, v.customer_id, w.day
              FROM violation v
              JOIN days f ON f.day = v.first_day
              JOIN days u ON u.day = greatest(least(v.corrected_before, (SELECT last_day FROM asof)), v.first_day)
             CROSS JOIN LATERAL generate_series(f.wi + 1, u.wi) AS k
              JOIN workdays w ON w.wi = k
        )
        SELECT o.user_id, o.rule_code, 1 AS qty, NULL::int8 AS base_amount_fen, o.day AS occurred_on,
               o.day::timestamptz AS period_start, (o.day + 1)::timestamptz AS period_end, o.violation_key,
               o.dossier_id, o.loan_id, o.customer_id, NULL::text AS note, NULL::int8 AS recorded_by
          FROM occurrence o
         WHERE o.rule_code IN (SELECT code FROM dossier.penalty_rules WHERE auto)
        """
}
