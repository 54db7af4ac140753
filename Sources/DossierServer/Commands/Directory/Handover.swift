import DossierDomain
import DossierProtocol
import Postgres

/// `USER LEAVE`: every customer and dossier of the leaver moves to the
/// successor in one transaction, with a recorded handover list; the leaver is
/// disabled. Refused while the leaver holds a loan that is not returned
/// [001 篇二.12: 全部档案交齐后方能离职].
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
        let handover = try connection.query("""
            INSERT INTO handovers (dept_id, leaver_id, successor_id, performed_by, customers, dossiers)
            VALUES ($1::int8, $2::int8, $3::int8, $4::int8, 0, 0) RETURNING id
            """, [leaver.dept, leaver.id, successor.id, actor.userID]).firstRow().decode("id", as: Int64.self)
        let customers = try connection.query("""
            WITH moved AS (
                UPDATE customers SET owner_id = $3::int8 WHERE owner_id = $2::int8 RETURNING id, number
            )
            INSERT INTO handover_items (handover_id, object_kind, object_id, reference)
            SELECT $1::int8, 'customer', id, number FROM moved
            """, [handover, leaver.id, successor.id]).affectedRows
        let dossiers = try connection.query("""
            WITH moved AS (
                UPDATE dossiers SET owner_id = $3::int8, updated_at = now() WHERE owner_id = $2::int8
                RETURNING id, coalesce(number, 'D' || id) AS reference
            )
            INSERT INTO handover_items (handover_id, object_kind, object_id, reference)
            SELECT $1::int8, 'dossier', id, reference FROM moved
            """, [handover, leaver.id, successor.id]).affectedRows
        try connection.query(
            "UPDATE handovers SET customers = $2::int4, dossiers = $3::int4 WHERE id = $1::int8", [handover, customers, dossiers])
        try connection.query(
            "UPDATE users SET active = false, left_at = now(), updated_at = now() WHERE id = $1::int8", [leaver.id])
        return .ok("\(customers) \(dossiers)")
    }
}
