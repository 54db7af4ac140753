import DossierDomain
import DossierProtocol
import Postgres

/// `RETENTION LIST/SET/DUE`: retention per category (RULES.md "Retention and
/// destruction"), counted from filing or from the customer relationship's end.
enum RetentionRules {
    /// The order of RULES.md's table.
    private static let order = "ARRAY['HT','BJ','DD','KH','XY','TS','HD','BG']"

    static func list(on connection: PostgresConnection) throws -> Response {
        let rows = try connection.query("""
            SELECT category, years, trigger FROM retention_rules
             ORDER BY array_position(\(order), category), category
            """).rows.map { row -> Row in
            ["category": try row.decode("category", as: String.self),
             "years": String(try row.decode("years", as: Int.self)),
             "trigger": try row.decode("trigger", as: String.self)]
        }
        return .rows(rows)
    }

    /// Every filed (or lent) dossier of the category with its current and its
    /// recomputed `retain_until` under the rule `$1` category, `$2` years, `$3` trigger.
    /// Counting from closing gives NULL (never due) while the customer is open.
    private static func targets(_ trigger: RetentionTrigger) -> String {
        switch trigger {
        case .filed:
            // Counting from filing needs nothing but the register card.
            """
            SELECT d.id, d.retain_until AS old, (d.filed_at + make_interval(years => $2::int4))::date AS new
              FROM dossiers d
             WHERE d.category = $1::text AND d.status IN ('filed', 'on_loan') AND $3::text = 'filed'
            """
        case .closed:
            """
            SELECT d.id, d.retain_until AS old, (cu.closed_on + make_interval(years => $2::int4))::date AS new
              FROM dossiers d
              JOIN dossier_contents c ON c.dossier_id = d.id
              JOIN customers cu ON cu.id = c.customer_id
             WHERE d.category = $1::text AND d.status IN ('filed', 'on_loan') AND $3::text = 'closed'
            """
        }
    }

    /// Counts over `diff(old, new)`: the dossiers whose date changes; `earlier`
    /// includes "never" → a date, `later` a date → "never"; `now_due` those the
    /// change makes due today (new date before today, old one not).
    private static let counts = """
        SELECT count(*)::int8 AS changed,
               count(*) FILTER (WHERE new < old OR (old IS NULL AND new IS NOT NULL))::int8 AS earlier,
               count(*) FILTER (WHERE new > old OR (new IS NULL AND old IS NOT NULL))::int8 AS later,
               count(*) FILTER (WHERE new < current_date AND NOT coalesce(old < current_date, false))::int8 AS now_due
          FROM diff
        """

    static func set(_ command: RetentionSet, actor: Actor, on connection: PostgresConnection) throws -> Response {
        guard actor.role == .admin else { throw ProtocolError(.denied, "RETENTION SET is for role admin") }
        let category = command.category.rawValue
        let parameters: [(any PostgresEncodable)?] = [category, command.years, command.trigger.rawValue]
        let statement: String
        if command.dryRun {
            statement = """
                WITH target AS (\(targets(command.trigger))),
                     diff AS (SELECT old, new FROM target WHERE old IS DISTINCT FROM new)
                \(counts)
                """
        } else {
            try RetentionRulesLock.change(connection)
            let updated = try connection.query("""
                UPDATE retention_rules SET years = $2::int4, trigger = $3::text, updated_at = now()
                 WHERE category = $1::text
                """, parameters)
            guard updated.affectedRows == 1 else { throw ProtocolError(.internal, "no retention rule for \(category)") }
            try Audit.record(connection, action: "retention.set", target: category,
                             detail: "years=\(command.years) trigger=\(command.trigger.rawValue)")
            statement = """
                WITH target AS (\(targets(command.trigger))),
                     diff AS (UPDATE dossiers d SET retain_until = t.new, updated_at = now()
                                FROM target t
                               WHERE d.id = t.id AND t.old IS DISTINCT FROM t.new
                           RETURNING t.old, t.new)
                \(counts)
                """
        }
        // Administrators see no dossiers: the recomputation, company-wide, runs as the system.
        try connection.query("SELECT dossier.begin_system_command('retention')")
        let row = try connection.query(statement, parameters).rows[0]
        var out = Row()
        out.append("category", category)
        out.append("years", String(command.years))
        out.append("trigger", command.trigger.rawValue)
        out.append("dossiers_changed", String(try row.decode("changed", as: Int64.self)))
        out.append("earlier", String(try row.decode("earlier", as: Int64.self)))
        out.append("later", String(try row.decode("later", as: Int64.self)))
        out.append("now_due", String(try row.decode("now_due", as: Int64.self)))
        guard command.dryRun else { return .ok() }
        return .rows([out])
    }

    /// Filed or lent dossiers past retention, not on hold, whose content the
    /// caller may see (row-level security: managers and archivists their
    /// department below top secret, directors everything).
    static func due(_ command: RetentionDue, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let before = command.before?.description
        let rows = try connection.query("""
            SELECT d.id, d.number, d.category, dp.code AS dept, to_char(d.retain_until, 'YYYY-MM-DD') AS retain_until
              FROM dossiers d JOIN departments dp ON dp.id = d.dept_id
             WHERE d.status IN ('filed', 'on_loan')
               AND d.retain_until < coalesce($1::date, current_date)
               AND EXISTS (SELECT 1 FROM dossier_contents c WHERE c.dossier_id = d.id)
               AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.dossier_id = d.id AND h.released_at IS NULL)
             ORDER BY d.retain_until, d.id
             LIMIT $2::int4
            """, [before, command.limit ?? 100]).rows.map { row -> Row in
            ["ref": "D\(try row.decode("id", as: Int64.self))",
             "number": try row.decode("number", as: String?.self) ?? "",
             "category": try row.decode("category", as: String.self),
             "dept": try row.decode("dept", as: String.self),
             "retain_until": try row.decode("retain_until", as: String.self)]
        }
        return .rows(rows)
    }
}
