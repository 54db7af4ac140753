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
        var filter = SQLFilter()
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

    /// The hash chains, whoever asks (`dossier.audit_verify_from` runs with
    /// the owner's rights, in bounded batches): the answer is a count or one
    /// row id. Without a key: every row, nothing written (`OK verified <n>`).
    /// With a key: the checkpoints' MACs are checked; then the rows after the
    /// last checkpoint (every row with `full=yes`, or when there is none), the
    /// seals (`AuditSeals.verify`) and the rows the last checkpoint names; when
    /// all holds, the log is sealed and a checkpoint recorded:
    /// `OK verified <n> [since=K<c>] seals=<m> [checkpoint=K<k>]` (no
    /// checkpoint when another verification recorded one meanwhile).
    static func verify(_ command: AuditVerify, actor: Actor, key: AuditKey?, logger: Logger?,
                       on connection: PostgresConnection) throws -> Response {
        try LongRunningWork.allow(on: connection)
        guard let key else {
            let checked = try chains(from: nil, on: connection)
            return .ok("verified \(checked.verified)")
        }
        let last = try AuditCheckpoints.last(with: key, on: connection)
        let start = command.full ? nil : last
        let checked = try chains(from: start?.heads, on: connection)
        let (seals, broken) = try AuditSeals.verify(with: key, on: connection)
        if let broken { throw ProtocolError(.conflict, broken) }
        if let last, let differs = try AuditCheckpoints.differs(last, on: connection) { throw differs }
        let seal = try AuditSeals.seal(with: key, by: actor.login, on: connection)
        // Outside the database too: the log keeps what the seal said.
        logger?.notice("audit sealed", metadata: ["seal": "S\(seal.id)", "mac": "\(seal.mac)", "by": "\(actor.login)"])
        let checkpoint = try AuditCheckpoints.record(
            with: key, by: actor.login, full: start == nil, verified: checked.verified, heads: checked.heads,
            after: last, logger: logger, on: connection)
        var answer = "verified \(checked.verified)"
        if let start { answer += " since=K\(start.id)" }
        answer += " seals=\(seals)"
        if let checkpoint { answer += " checkpoint=K\(checkpoint)" }
        return .ok(answer)
    }

    /// The chains from `heads` (a checkpoint's; nil: from the start): rows
    /// checked and the last row of every chain, or `ERR CONFLICT chain broken
    /// at <id>` (the lowest broken id).
    static func chains(from heads: String?, on connection: PostgresConnection) throws -> (verified: Int64, heads: String) {
        let row = try connection.query("SELECT verified, broken_at, heads FROM dossier.audit_verify_from($1::text)", [heads])
            .firstRow()
        if let broken = try row.decode("broken_at", as: Int64?.self) {
            throw ProtocolError(.conflict, "chain broken at \(broken)")
        }
        return (try row.decode("verified", as: Int64.self), try row.decode("heads", as: String.self))
    }
}
