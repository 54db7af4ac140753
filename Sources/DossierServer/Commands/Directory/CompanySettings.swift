import DossierDomain
import DossierProtocol
import Postgres

/// `COMPANY SHOW`, `COMPANY SET timezone= consent_rule=`: company-wide settings in
/// `dossier.company_settings` (migrations 0035, 0070). The time zone is applied by
/// `begin_command` to every command's transaction, so every daemon agrees and a
/// change reaches them all at their next command.
enum CompanySettings {
    static func show(on connection: PostgresConnection) throws -> Response {
        let row = try connection.query("""
            SELECT s.time_zone AS timezone, to_char(now(), 'TZH:TZM') AS "offset",
                   to_char(now(), 'YYYY-MM-DD') AS today, dossier.wire_time(now()) AS now, s.consent_rule,
                   coalesce(u.login, '') AS updated_by, dossier.wire_time(s.updated_at) AS updated_at
              FROM company_settings s LEFT JOIN users u ON u.id = s.updated_by
            """).rows[0]
        return .rows([try Row(row, columns: ["timezone", "offset", "today", "now", "consent_rule", "updated_by", "updated_at"])])
    }

    static func set(_ command: CompanySet, actor: Actor, on connection: PostgresConnection) throws -> Response {
        var answer: [String] = []
        if let timeZone = command.timeZone { answer.append(try setTimeZone(timeZone, actor: actor, on: connection)) }
        if let rule = command.consentRule {
            let old = try connection.query("SELECT consent_rule FROM company_settings FOR UPDATE").rows[0]
                .decode("consent_rule", as: String.self)
            try connection.query("UPDATE company_settings SET consent_rule = $1::text, updated_by = $2::int8, updated_at = now()",
                                 [rule.rawValue, actor.userID])
            try Audit.record(connection, action: "company.set", target: "consent_rule", detail: "\(old) -> \(rule.rawValue)")
            answer.append("consent_rule=\(rule.rawValue)")
        }
        return .ok(answer.joined(separator: " "))
    }

    private static func setTimeZone(_ timeZone: String, actor: Actor, on connection: PostgresConnection) throws -> String {
        // PostgreSQL's own list decides: a name it cannot apply would break every command.
        let known = try connection.query(
            "SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1::text) AS known", [timeZone]
        ).rows[0].decode("known", as: Bool.self)
        guard known else {
            throw ProtocolError.invalid("timezone", "unknown time zone; use an IANA name such as Asia/Shanghai")
        }
        let old = try connection.query("SELECT time_zone FROM company_settings FOR UPDATE").rows[0]
            .decode("time_zone", as: String.self)
        try connection.query("""
            UPDATE company_settings SET time_zone = $1::text, updated_by = $2::int8, updated_at = now()
            """, [timeZone, actor.userID])
        // The rest of this command already works in the new zone.
        try connection.query("SELECT set_config('TimeZone', $1::text, true)", [timeZone])
        try Audit.record(connection, action: "company.set", target: "timezone", detail: "\(old) -> \(timeZone)")
        let offset = try connection.query("SELECT to_char(now(), 'TZH:TZM') AS \"offset\"").rows[0]
            .decode("offset", as: String.self)
        return "timezone=\(timeZone) offset=\(offset)"
    }
}
