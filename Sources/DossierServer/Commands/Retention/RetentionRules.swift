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

    /// A dry run counts how the dates of the category would change; a real one
    /// changes the rule and recomputes them in one statement
    /// (`dossier.retention_recompute`, migrations/0012), company-wide —
    /// whoever can see the dossiers — under the exclusive rules lock, so no
    /// filing or closing computes a date from the rule being replaced.
    static func set(_ command: RetentionSet, actor: Actor, on connection: PostgresConnection) throws -> Response {
        try LongRunningWork.allow(on: connection)
        let category = command.category.rawValue
        if !command.dryRun {
            try RetentionRulesLock.change(connection)
            let updated = try connection.query("""
                UPDATE retention_rules SET years = $2::int4, trigger = $3::text, updated_at = now()
                 WHERE category = $1::text
                """, [category, command.years, command.trigger.rawValue])
            guard updated.affectedRows == 1 else { throw ProtocolError(.internal, "no retention rule for \(category)") }
            try Audit.record(connection, action: "retention.set", target: category,
                             detail: "years=\(command.years) trigger=\(command.trigger.rawValue)")
        }
        let row = try connection.query("""
            SELECT changed, earlier, later, now_due FROM dossier.retention_recompute($1::text, $2::int4, $3::text, $4::bool)
            """, [category, command.years, command.trigger.rawValue, !command.dryRun]).firstRow()
        guard command.dryRun else { return .ok() }
        var out = Row()
        out.append("category", category)
        out.append("years", String(command.years))
        out.append("trigger", command.trigger.rawValue)
        out.append("dossiers_changed", String(try row.decode("changed", as: Int64.self)))
        out.append("earlier", String(try row.decode("earlier", as: Int64.self)))
        out.append("later", String(try row.decode("later", as: Int64.self)))
        out.append("now_due", String(try row.decode("now_due", as: Int64.self)))
        return .rows([out])
    }

    /// Filed or lent dossiers past retention, not on hold, whose content the
    /// caller may see (row-level security: managers and archivists their
    /// department below top secret, directors everything), most overdue first.
    ///
    /// The walk and its bounds are explained in migrations/0024.
    static func due(_ command: RetentionDue, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let rows = try connection.query("""
            SELECT dossier_id, number, category, dept, to_char(retain_until, 'YYYY-MM-DD') AS retain_until
              FROM dossier.retention_due($1::date, $2::int4)
            """, [command.before?.description, command.limit ?? 100]).rows.map { row -> Row in
            ["ref": "D\(try row.decode("dossier_id", as: Int64.self))",
             "number": try row.decode("number", as: String?.self) ?? "",
             "category": try row.decode("category", as: String.self),
             "dept": try row.decode("dept", as: String.self),
             "retain_until": try row.decode("retain_until", as: String.self)]
        }
        return .rows(rows)
    }
}
