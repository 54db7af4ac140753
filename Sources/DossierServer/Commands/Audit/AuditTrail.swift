import DossierDomain
import DossierProtocol
import Postgres

/// `AUDIT LIST` and `AUDIT VERIFY` (RULES.md "Audit"): reading the log under
/// the caller's row-level security, and recomputing its hash chains.
enum AuditTrail {
    /// Newest first. `ref=` matches rows whose target is the dossier under
    /// either of its names (`D<n>` before filing, the archive number after);
    /// `user=` the acting user; `since=` rows written at or after the bound.
    static func list(_ command: AuditList, actor: Actor, on connection: PostgresConnection) throws -> Response {
        var userID: Int64? = nil
        if let login = command.user {
            guard let row = try connection.query("SELECT id FROM users WHERE login = $1::text", [login.rawValue]).first
            else { throw ProtocolError(.notFound, "no user \(login)") }
            userID = try row.decode("id", as: Int64.self)
        }
        let rows = try connection.query("""
            SELECT a.id, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at, a.login, a.action,
                   a.target, a.purpose, a.role, coalesce(dp.code, '') AS dept, a.detail
              FROM audit_log a LEFT JOIN departments dp ON dp.id = a.dept_id
             WHERE ($1::text IS NULL OR a.target = ANY (dossier.audit_target_names($1::text)))
               AND ($2::int8 IS NULL OR a.user_id = $2::int8)
               AND ($3::timestamptz IS NULL OR a.at >= $3::timestamptz)
             ORDER BY a.id DESC
             LIMIT $4::int4
            """, [command.ref?.description, userID, command.since?.description, command.limit ?? 100]).rows
        return .rows(try rows.map { row in
            var out = Row()
            out.append("id", try row.decode("id", as: Int64.self))
            for column in ["at", "user", "action", "target", "purpose", "role", "dept", "detail"] {
                out.append(column, try row.decode(column == "user" ? "login" : column, as: String.self))
            }
            return out
        })
    }

    /// Every chain of the whole log, whoever asks (`dossier.audit_verify`
    /// runs with the owner's rights): the answer is a count or one row id.
    static func verify(actor: Actor, on connection: PostgresConnection) throws -> Response {
        let row = try connection.query("SELECT verified, broken_at FROM dossier.audit_verify()").rows[0]
        if let broken = try row.decode("broken_at", as: Int64?.self) {
            throw ProtocolError(.conflict, "chain broken at \(broken)")
        }
        return .ok("verified \(try row.decode("verified", as: Int64.self))")
    }
}
