import DossierDomain
import DossierProtocol
import Postgres

/// Handovers (交接): every customer and dossier of one user moves to a successor
/// of the same department in one transaction, with a recorded list
/// (`handovers`, `handover_items`) that `HANDOVER LIST/SHOW` read back.
///
/// `USER LEAVE` hands over and disables the leaver; it is refused while the
/// leaver holds a loan that is not returned [001 篇二.12: 全部档案交齐后方能离职].
/// `USER SET` hands over when a change of department or role means the user may
/// no longer keep what they own (`occasion=transfer`).
enum Handover {
    static func leave(_ command: UserLeave, actor: Actor, on connection: PostgresConnection) throws -> Response {
        guard command.login != command.successor else { throw ProtocolError.invalid("successor", "must be someone else") }
        let people = try connection.query(
            "SELECT id, login, dept_id FROM users WHERE login = ANY ($1::text[]) AND active",
            ["{\(command.login.rawValue),\(command.successor.rawValue)}"]).rows
        func find(_ login: Login) throws -> (id: Int64, dept: Int64) {
            guard let row = try people.first(where: { try $0.decode("login", as: String.self) == login.rawValue }) else {
                throw ProtocolError(.notFound, "no active user \(login.rawValue)")
            }
            return (try row.decode("id", as: Int64.self), try row.decode("dept_id", as: Int64.self))
        }
        let leaver = try find(command.login)
        let successor = try find(command.successor)
        guard leaver.dept == successor.dept else {
            throw ProtocolError(.conflict, "the successor must work in the leaver's department")
        }
        try Audit.record(connection, action: "user.leave", target: command.login.rawValue,
                         detail: "successor=\(command.successor.rawValue)")
        // Administrators see no customer data: the move itself runs as the system.
        try connection.query("SELECT dossier.begin_system_command('handover')")
        let loans = try connection.query(
            "SELECT count(*)::int8 AS n FROM loans WHERE borrower_id = $1::int8 AND status = 'out'", [leaver.id])
        let out = try loans.firstRow().decode("n", as: Int.self)
        guard out == 0 else {
            throw ProtocolError(.conflict, "\(command.login.rawValue) holds \(out) loan(s) not returned")
        }
        let moved = try move(from: leaver.id, to: successor.id, department: leaver.dept, occasion: "leave", toDepartment: nil,
                             performedBy: actor.userID, on: connection)
        try connection.query(
            "UPDATE users SET active = false, left_at = now(), updated_at = now() WHERE id = $1::int8", [leaver.id])
        return .ok("\(moved.customers) \(moved.dossiers) handover=\(moved.id)")
    }

    /// What one handover moved.
    struct Moved {
        let id: HandoverID
        let customers: Int
        let dossiers: Int
    }

    /// Moves every customer and dossier of `leaver` to `successor` and records
    /// the list. Runs as the system (the caller has switched with
    /// `begin_system_command`), so nothing is hidden from the move.
    static func move(from leaver: Int64, to successor: Int64, department: Int64, occasion: String, toDepartment: Int64?,
                     performedBy: Int64, on connection: PostgresConnection) throws -> Moved {
        let handover = try connection.query("""
            INSERT INTO handovers (dept_id, leaver_id, successor_id, performed_by, customers, dossiers, occasion, to_dept_id)
            VALUES ($1::int8, $2::int8, $3::int8, $4::int8, 0, 0, $5::text, $6::int8) RETURNING id
            """, [department, leaver, successor, performedBy, occasion, toDepartment]).firstRow().decode("id", as: Int64.self)
        let customers = try connection.query("""
            WITH moved AS (
                UPDATE customers SET owner_id = $3::int8 WHERE owner_id = $2::int8 RETURNING id, number
            )
            INSERT INTO handover_items (handover_id, object_kind, object_id, reference)
            SELECT $1::int8, 'customer', id, number FROM moved
            """, [handover, leaver, successor]).affectedRows
        let dossiers = try connection.query("""
            WITH moved AS (
                UPDATE dossiers SET owner_id = $3::int8, updated_at = now() WHERE owner_id = $2::int8
                RETURNING id, coalesce(number, 'D' || id) AS reference
            )
            INSERT INTO handover_items (handover_id, object_kind, object_id, reference)
            SELECT $1::int8, 'dossier', id, reference FROM moved
            """, [handover, leaver, successor]).affectedRows
        // Open follow-up visits go with the customers (issue 15); recorded ones keep who made them.
        try connection.query("UPDATE followups SET assignee_id = $2::int8 WHERE assignee_id = $1::int8 AND status = 'open'",
                             [leaver, successor])
        try connection.query(
            "UPDATE handovers SET customers = $2::int4, dossiers = $3::int4 WHERE id = $1::int8", [handover, customers, dossiers])
        guard let id = HandoverID(handover) else { throw PostgresError(kind: .client, message: "handover id \(handover)") }
        return Moved(id: id, customers: customers, dossiers: dossiers)
    }

    // MARK: HANDOVER LIST, HANDOVER SHOW

    /// Everything of a handover but its items; row security decides which the caller sees
    /// (administrators and directors all, a manager their department's, anyone their own
    /// as leaver or successor).
    private static let select = """
        SELECT 'H' || h.id AS id, h.occasion, l.login AS leaver, s.login AS successor, d.code AS dept,
               coalesce(t.code, '') AS to_dept, dossier.wire_time(h.performed_at) AS at, coalesce(p.login, '') AS by,
               h.customers::text AS customers, h.dossiers::text AS dossiers
          FROM handovers h
          JOIN users l ON l.id = h.leaver_id
          JOIN users s ON s.id = h.successor_id
          JOIN departments d ON d.id = h.dept_id
          LEFT JOIN departments t ON t.id = h.to_dept_id
          LEFT JOIN users p ON p.id = h.performed_by
        """
    private static let columns = ["id", "occasion", "leaver", "successor", "dept", "to_dept", "at", "by", "customers", "dossiers"]

    static func list(_ command: DossierProtocol.HandoverList, on connection: PostgresConnection) throws -> Response {
        let rows = try connection.query(select + """
             WHERE $1::text IS NULL OR l.login = $1::text OR s.login = $1::text
             ORDER BY h.id DESC
             LIMIT 1000
            """, [command.login?.rawValue]).rows
        return .rows(try rows.map { try Row($0, columns: columns) })
    }

    /// The handover, then one row per customer and dossier that moved.
    static func show(_ id: HandoverID, on connection: PostgresConnection) throws -> Response {
        guard let head = try connection.query(select + " WHERE h.id = $1::int8", [id.value]).first else {
            throw ProtocolError(.notFound, "no handover \(id)")
        }
        var rows = [try Row(head, columns: columns)]
        let items = try connection.query("""
            SELECT object_kind AS kind, reference AS ref FROM handover_items
             WHERE handover_id = $1::int8 ORDER BY object_kind, object_id
            """, [id.value]).rows
        rows += try items.map { try Row($0, columns: ["kind", "ref"]) }
        return .rows(rows)
    }
}
