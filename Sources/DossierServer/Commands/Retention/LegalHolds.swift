import DossierDomain
import DossierProtocol
import Postgres

/// `HOLD PLACE/RELEASE` (冻结): a legal hold blocks deletion and destruction
/// until released (also enforced by the trigger `dossiers_legal_hold`). One
/// active hold per dossier (unique index `legal_holds_one_active`).
enum LegalHolds {
    static func place(_ command: RefWithReason, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let dossier = try DossierRecord.find(command.ref, on: connection, lock: true)
        try requireHolder(dossier, actor, toDo: "place a hold")
        try dossier.requireStatus("draft", "submitted", "filed", "on_loan", "deleted", toDo: "hold")
        guard try activeHold(dossier, on: connection) == nil else {
            throw ProtocolError(.conflict, "\(dossier.reference) is already on hold")
        }
        try connection.query("""
            INSERT INTO legal_holds (dossier_id, dept_id, reason, placed_by) VALUES ($1::int8, $2::int8, $3::text, $4::int8)
            """, [dossier.id, dossier.departmentID, command.reason, actor.userID])
        try Audit.record(connection, action: "hold.place", target: dossier.reference, purpose: command.reason)
        return .ok()
    }

    static func release(_ command: RefWithReason, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let dossier = try DossierRecord.find(command.ref, on: connection, lock: true)
        try requireHolder(dossier, actor, toDo: "release a hold")
        guard let hold = try activeHold(dossier, on: connection) else {
            throw ProtocolError(.conflict, "\(dossier.reference) is not on hold")
        }
        try connection.query("""
            UPDATE legal_holds SET released_by = $2::int8, released_at = now(), release_reason = $3::text
             WHERE id = $1::int8 AND released_at IS NULL
            """, [hold, actor.userID, command.reason])
        try Audit.record(connection, action: "hold.release", target: dossier.reference, purpose: command.reason)
        return .ok()
    }

    /// A manager of the dossier's department or a director.
    private static func requireHolder(_ dossier: DossierRecord, _ actor: Actor, toDo what: String) throws {
        let manages = actor.role == .manager && actor.departmentID == dossier.departmentID
        guard manages || actor.role == .director else {
            throw ProtocolError(.denied, "only the department's manager or a director may \(what)")
        }
    }

    private static func activeHold(_ dossier: DossierRecord, on connection: PostgresConnection) throws -> Int64? {
        try connection.query("SELECT id FROM legal_holds WHERE dossier_id = $1::int8 AND released_at IS NULL", [dossier.id])
            .rows.first?.decode("id", as: Int64.self)
    }
}

extension LegalHolds {
    /// `HOLD LIST [status=]`: holds on dossiers whose register entry the caller
    /// sees (row security of `legal_holds`), newest first.
    static func list(_ command: HoldList, on connection: PostgresConnection) throws -> Response {
        let rows = try connection.query("""
            SELECT coalesce(d.number, 'D' || d.id) AS ref, dp.code AS dept, d.level,
                   CASE WHEN h.released_at IS NULL THEN 'active' ELSE 'released' END AS status,
                   h.reason, p.login AS placed_by, dossier.wire_time(h.placed_at) AS placed_at,
                   coalesce(r.login, '') AS released_by, coalesce(dossier.wire_time(h.released_at), '') AS released_at,
                   coalesce(h.release_reason, '') AS release_reason
              FROM legal_holds h
              JOIN dossiers d ON d.id = h.dossier_id
              JOIN departments dp ON dp.id = h.dept_id
              JOIN users p ON p.id = h.placed_by
              LEFT JOIN users r ON r.id = h.released_by
             WHERE $1::text = 'all' OR ($1::text = 'active') = (h.released_at IS NULL)
             ORDER BY h.id DESC
             LIMIT $2::int
            """, [command.status.rawValue, command.limit ?? 100]).rows
        return .rows(try rows.map {
            try Row($0, columns: ["ref", "dept", "level", "status", "reason", "placed_by", "placed_at", "released_by",
                                  "released_at", "release_reason"])
        })
    }
}
