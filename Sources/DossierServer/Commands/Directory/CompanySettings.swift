import DossierDomain
import DossierProtocol
import Postgres

/// `COMPANY SHOW`, `COMPANY SET timezone=`: company-wide settings in
/// `dossier.company_settings` (migration 0035). The time zone is applied by
/// `begin_command` to every command's transaction, so every daemon agrees and a
/// change reaches them all at their next command.
enum CompanySettings {
    static func show(on connection: PostgresConnection) throws -> Response {
        let row = try connection.query("""
            SELECT s.time_zone AS timezone, to_char(now(), 'TZH:TZM') AS "offset",
                   to_char(now(), 'YYYY-MM-DD') AS today, dossier.wire_time(now()) AS now,
                   coalesce(u.login, '') AS updated_by, dossier.wire_time(s.updated_at) AS updated_at
              FROM company_settings s LEFT JOIN users u ON u.id = s.updated_by
            """).rows[0]
        return .rows([try Row(row, columns: ["timezone", "offset", "today", "now", "updated_by", "updated_at"])])
    }

    static func set(_ command: CompanySet, actor: Actor, on connection: PostgresConnection) throws -> Response {
        // PostgreSQL's own list decides: a name it cannot apply would break every command.
        let known = try connection.query(
            "SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1::text) AS known", [command.timeZone]
        ).rows[0].decode("known", as: Bool.self)
        guard known else {
            throw ProtocolError.invalid("timezone", "unknown time zone; use an IANA name such as Asia/Shanghai")
        }
        let old = try connection.query("SELECT time_zone FROM company_settings FOR UPDATE").rows[0]
            .decode("time_zone", as: String.self)
        try connection.query("""
            UPDATE company_settings SET time_zone = $1::text, updated_by = $2::int8, updated_at = now()
            """, [command.timeZone, actor.userID])
        // The rest of this command already works in the new zone.
        try connection.query("SELECT set_config('TimeZone', $1::text, true)", [command.timeZone])
        try Audit.record(connection, action: "company.set", target: "timezone", detail: "\(old) -> \(command.timeZone)")
        let offset = try connection.query("SELECT to_char(now(), 'TZH:TZM') AS \"offset\"").rows[0]
            .decode("offset", as: String.self)
        return .ok("timezone=\(command.timeZone) offset=\(offset)")
    }
}
