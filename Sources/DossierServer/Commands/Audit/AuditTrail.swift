import DossierDomain
import DossierProtocol
import Logging
import Postgres

/// `AUDIT LIST` and `AUDIT VERIFY` (RULES.md "Audit"): reading the log under
/// the caller's row-level security, and recomputing its hash chains.
enum AuditTrail {
    /// Newest first. `ref=` matches the rows about the dossier (its two
    /// names, its approvals and loans: `dossier.audit_target_names`), `user=`
    /// the acting user, `since=` rows written at or after the bound.
    static func list(_ command: AuditList, actor: Actor, on connection: PostgresConnection) throws -> Response {
        var filter = AuditFilter()
        if let ref = command.ref {
            filter.add(ref.description) { "a.target = ANY ((SELECT dossier.audit_target_names(\($0)::text))::text[])" }
        }
        if let login = command.user {
            guard let row = try connection.query("SELECT id FROM users WHERE login = $1::text", [login.rawValue]).first
            else { throw ProtocolError(.notFound, "no user \(login)") }
            filter.add(try row.decode("id", as: Int64.self)) { "a.user_id = \($0)::int8" }
        }
        if let since = command.since {
            // A date is the start of that day in the server's time zone.
            filter.add(since.description) { "a.at >= \($0)::timestamptz" }
        }
        let limit = filter.parameter(command.limit ?? 100)
        let rows = try connection.query("""
            SELECT a.id, dossier.wire_time(a.at) AS at, a.login, a.action,
                   a.target, a.purpose, a.role, coalesce(dp.code, '') AS dept, a.detail
              FROM audit_log a LEFT JOIN departments dp ON dp.id = a.dept_id
            \(filter.whereClause)
             ORDER BY a.at DESC, a.id DESC
             LIMIT \(limit)::int4
            """, filter.parameters).rows
        return .rows(try rows.map { row in
            var out = Row()
            out.append("id", try row.decode("id", as: Int64.self))
            out.append("at", try row.decode("at", as: String.self))
            out.append("user", try row.decode("login", as: String.self))
            for column in ["action", "target", "purpose", "role", "dept", "detail"] {
                out.append(column, try row.decode(column, as: String.self))
            }
            return out
        })
    }

    /// Every chain of the whole log, whoever asks (`dossier.audit_verify`
    /// runs with the owner's rights): the answer is a count or one row id.
    /// With a key, the seals are checked too (`AuditSeals.verify`) and, when
    /// all holds, the log is sealed as it is now: `OK verified <n> seals=<m>`
    /// (m seals checked before the new one), or `ERR CONFLICT seal …`.
    static func verify(actor: Actor, key: AuditKey?, logger: Logger?, on connection: PostgresConnection) throws -> Response {
        try LongRunningWork.allow(on: connection)
        let row = try connection.query("SELECT verified, broken_at FROM dossier.audit_verify()").firstRow()
        if let broken = try row.decode("broken_at", as: Int64?.self) {
            throw ProtocolError(.conflict, "chain broken at \(broken)")
        }
        let verified = try row.decode("verified", as: Int64.self)
        guard let key else { return .ok("verified \(verified)") }
        let (seals, broken) = try AuditSeals.verify(with: key, on: connection)
        if let broken { throw ProtocolError(.conflict, broken) }
        let seal = try AuditSeals.seal(with: key, by: actor.login, on: connection)
        // Outside the database too: the log keeps what the seal said.
        logger?.notice("audit sealed", metadata: ["seal": "S\(seal.id)", "mac": "\(seal.mac)", "by": "\(actor.login)"])
        return .ok("verified \(verified) seals=\(seals)")
    }
}

/// The conditions of one `AUDIT LIST`, only those given: each combination is
/// its own statement text (made of fixed fragments, values only as
/// parameters), so each gets a plan that uses its index — a catch-all
/// `($1 IS NULL OR …)` would share one generic plan that scans the whole log.
struct AuditFilter {
    private(set) var conditions: [String] = []
    private(set) var parameters: [(any PostgresEncodable)?] = []

    /// The condition `condition(parameter)` on `value`.
    mutating func add(_ value: any PostgresEncodable, _ condition: (String) -> String) {
        conditions.append(condition(parameter(value)))
    }

    /// `$n` for a new parameter.
    mutating func parameter(_ value: any PostgresEncodable) -> String {
        parameters.append(value)
        return "$\(parameters.count)"
    }

    var whereClause: String { conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ") }
}
