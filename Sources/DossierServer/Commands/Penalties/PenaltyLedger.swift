import DossierDomain
import DossierProtocol
import Postgres

/// The one way penalties are charged — by hand, at a loan's return, at filing
/// and by the sweep — so repeat escalation cannot diverge between them.
///
/// `statement(candidates:)` turns any set of occurrences into penalty rows in
/// one statement:
/// 1. occurrences with a `violation_key` already charged for their period are
///    dropped (the unique index `penalties_once_per_period` backs this up);
/// 2. the loans, dossiers and customers the new rows will reference are
///    key-share locked in id order, as the foreign-key checks would lock them
///    later anyway: a command holding one of them `FOR UPDATE` (LOAN RETURN)
///    is waited for before any counter is taken, not while holding counters;
/// 3. the counter rows of `penalty_month_counts` (user, month of the
///    occurrence) are upserted in (user, month) order, each by the number of new
///    occurrences — the row locks serialize every charge for one user, so two
///    concurrent charges cannot both believe they are the first;
/// 4. the rows are inserted with their ordinal in the month (in order of
///    occurrence day, rule, key) and the multiplier of
///    `dossier.repeat_multiplier` (= `RepeatEscalation`), copying rule amount,
///    quantity, staff line, department and period onto the row, so later rule
///    or calendar changes never rewrite an issued penalty.
/// The window function of step 4 reads every counter before the first insert,
/// so all counters are taken before any penalty row is written.
enum PenaltyLedger {
    /// Columns every candidate source must produce, in this order.
    static let candidateColumns = """
        user_id int8, rule_code text, qty int4, base_amount_fen int8 (NULL: the rule's amount), occurred_on date,
        period_start timestamptz, period_end timestamptz, violation_key text, dossier_id int8, loan_id int8,
        customer_id int8, note text, recorded_by int8
        """

    /// What to return from the charge.
    enum Result {
        /// `rule_code, charged`: new rows per rule. Reads nothing back, so it
        /// works whatever the caller may see of the rows it writes.
        case countsByRule
        /// `id, amount_fen` of each new row (the caller must be able to see them).
        case rows
    }

    /// The charging statement over `candidates`, a query producing `candidateColumns`.
    static func statement(candidates: String, result: Result) -> String {
        // RETURNING makes PostgreSQL check the new rows against the caller's
        // read policies, so it is there only when the rows are read back.
        let returning: String
        let final: String
        switch result {
        case .countsByRule:
            returning = ""
            final = "SELECT rule_code, count(*)::int8 AS charged FROM numbered GROUP BY rule_code ORDER BY rule_code"
        case .rows:
            returning = "RETURNING id, amount_fen"
            final = "SELECT id, amount_fen FROM inserted ORDER BY id"
        }
        return """
            WITH candidate AS MATERIALIZED (
            \(candidates)
            ),
            \(fresh),
            locked_loans AS MATERIALIZED (
                SELECT l.id FROM dossier.loans l WHERE l.id IN (SELECT loan_id FROM fresh) ORDER BY l.id FOR KEY SHARE
            ),
            locked_dossiers AS MATERIALIZED (
                SELECT d.id FROM dossier.dossiers d WHERE d.id IN (SELECT dossier_id FROM fresh) ORDER BY d.id FOR KEY SHARE
            ),
            locked_customers AS MATERIALIZED (
                SELECT cu.id FROM dossier.customers cu WHERE cu.id IN (SELECT customer_id FROM fresh) ORDER BY cu.id FOR KEY SHARE
            ),
            per_month AS MATERIALIZED (
                SELECT user_id, month, count(*)::int4 AS n FROM fresh
                 WHERE (SELECT count(*) FROM locked_loans) + (SELECT count(*) FROM locked_dossiers)
                       + (SELECT count(*) FROM locked_customers) >= 0
                 GROUP BY user_id, month
            ),
            counted AS (
                INSERT INTO dossier.penalty_month_counts AS m (user_id, month, violations)
                SELECT user_id, month, n FROM per_month ORDER BY user_id, month
                ON CONFLICT (user_id, month) DO UPDATE SET violations = m.violations + EXCLUDED.violations
                RETURNING m.user_id, m.month, m.violations
            ),
            numbered AS MATERIALIZED (
                SELECT f.*, c.violations - pm.n
                            + row_number() OVER (PARTITION BY f.user_id, f.month
                                                 ORDER BY f.occurred_on, f.rule_code, f.violation_key, f.loan_id,
                                                          f.dossier_id, f.customer_id)::int4 AS ordinal
                  FROM fresh f
                  JOIN counted c ON c.user_id = f.user_id AND c.month = f.month
                  JOIN per_month pm ON pm.user_id = f.user_id AND pm.month = f.month
            ),
            inserted AS (
                INSERT INTO dossier.penalties (user_id, dept_id, rule_code, base_amount_fen, qty, multiplier, amount_fen,
                                               ordinal_in_month, staff_line, occurred_on, period_start, period_end,
                                               violation_key, dossier_id, loan_id, customer_id, note, recorded_by)
                SELECT user_id, dept_id, rule_code, base_amount_fen, qty, dossier.repeat_multiplier(line, ordinal),
                       base_amount_fen * qty * dossier.repeat_multiplier(line, ordinal), ordinal, line, occurred_on,
                       period_start, period_end, violation_key, dossier_id, loan_id, customer_id, note, recorded_by
                  FROM numbered
                \(returning)
            )
            \(final)
            """
    }

    /// Step 1: the candidates not charged yet, with the rule's amount, the
    /// month of the occurrence and the user's department and line.
    private static let fresh = """
        fresh AS MATERIALIZED (
            SELECT c.user_id, c.rule_code, c.qty, coalesce(c.base_amount_fen, r.amount_fen) AS base_amount_fen,
                   c.occurred_on, date_trunc('month', c.occurred_on)::date AS month, c.period_start, c.period_end,
                   c.violation_key, c.dossier_id, c.loan_id, c.customer_id, c.note, c.recorded_by, u.dept_id, u.line
              FROM candidate c
              JOIN dossier.users u ON u.id = c.user_id
              JOIN dossier.penalty_rules r ON r.code = c.rule_code
             WHERE c.violation_key IS NULL
                OR NOT EXISTS (SELECT 1 FROM dossier.penalties p
                                WHERE p.rule_code = c.rule_code AND p.violation_key = c.violation_key
                                  AND p.period_start = c.period_start)
        )
        """

    /// What `statement` would charge over `candidates`, writing and locking
    /// nothing (`PENALTY SWEEP dry_run=yes`): per department, user and rule,
    /// `charged` new penalties and their `amount_fen`, numbered and escalated
    /// from the month counters as they stand.
    static func preview(candidates: String) -> String {
        """
        WITH candidate AS MATERIALIZED (
        \(candidates)
        ),
        \(fresh),
        numbered AS MATERIALIZED (
            SELECT f.*, coalesce(m.violations, 0)
                        + row_number() OVER (PARTITION BY f.user_id, f.month
                                             ORDER BY f.occurred_on, f.rule_code, f.violation_key, f.loan_id,
                                                      f.dossier_id, f.customer_id)::int4 AS ordinal
              FROM fresh f
              LEFT JOIN dossier.penalty_month_counts m ON m.user_id = f.user_id AND m.month = f.month
        )
        SELECT dp.code AS dept, u.login, n.rule_code, count(*)::int8 AS charged,
               sum(n.base_amount_fen * n.qty * dossier.repeat_multiplier(n.line, n.ordinal))::int8 AS amount_fen
          FROM numbered n
          JOIN dossier.users u ON u.id = n.user_id
          JOIN dossier.departments dp ON dp.id = n.dept_id
         GROUP BY dp.code, u.login, n.rule_code
         ORDER BY dp.code, u.login, n.rule_code
        """
    }

    /// Charges one penalty that happened now (a loss at a return, a manual
    /// record): occurred today, its period the moment of charging.
    /// `amount` nil: the rule's amount. Writes the audit row `audit` (nil: none,
    /// the caller writes its own) and returns the new penalty and its amount.
    @discardableResult
    static func charge(
        userID: Int64, rule: String, quantity: Int = 1, amount: Money? = nil, dossierID: Int64? = nil,
        loanID: Int64? = nil, note: String? = nil, recordedBy: Int64?, audit: String? = "penalty.charge",
        on connection: PostgresConnection
    ) throws -> (id: PenaltyID, amount: Money) {
        let candidate = """
            SELECT $1::int8 AS user_id, $2::text AS rule_code, $3::int4 AS qty, $4::int8 AS base_amount_fen,
                   current_date AS occurred_on, now() AS period_start, now() AS period_end, NULL::text AS violation_key,
                   $5::int8 AS dossier_id, $6::int8 AS loan_id, NULL::int8 AS customer_id, $7::text AS note,
                   $8::int8 AS recorded_by
            """
        guard let row = try connection.query(statement(candidates: candidate, result: .rows),
                                             [userID, rule, quantity, amount?.fen, dossierID, loanID, note, recordedBy]).first,
              let id = PenaltyID(try row.decode("id", as: Int64.self))
        else { throw ProtocolError(.internal, "cannot charge \(rule) to user \(userID)") }
        let charged = Money(fen: try row.decode("amount_fen", as: Int64.self))
        if let audit {
            try Audit.record(connection, action: audit, target: id.description, detail: "\(rule) \(charged)")
        }
        return (id, charged)
    }

    /// Charges every occurrence `candidates` produces (with `parameters`) that
    /// is not charged yet; returns the new rows per rule code.
    static func charge(
        candidates: String, parameters: [(any PostgresEncodable)?], on connection: PostgresConnection
    ) throws -> [String: Int] {
        var charged: [String: Int] = [:]
        for row in try connection.query(statement(candidates: candidates, result: .countsByRule), parameters).rows {
            charged[try row.decode("rule_code", as: String.self)] = try row.decode("charged", as: Int.self)
        }
        return charged
    }
}
