import DossierDomain
import DossierProtocol
import Postgres

/// `USER ADD`, `USER LIST`, `USER PASSWD`. Passwords are hashed inside the
/// database (bcrypt, `dossier.hash_password`); the daemon never reads a hash.
enum Users {
    static func add(_ command: UserAdd, on connection: PostgresConnection) throws -> Response {
        let department = try Departments.id(of: command.department, on: connection)
        try connection.query("""
            INSERT INTO users (login, name, dept_id, role, line, password_hash)
            VALUES ($1::text, $2::text, $3::int8, $4::text, $5::text, dossier.hash_password($6::text))
            """, [command.login.rawValue, command.name, department, command.role.rawValue,
                  (command.line ?? .sales).rawValue, command.password.revealed])
        try Audit.record(connection, action: "user.add", target: command.login.rawValue,
                         detail: "role=\(command.role.rawValue) dept=\(command.department.rawValue)")
        return .ok(command.login.rawValue)
    }

    static func list(_ command: UserList, on connection: PostgresConnection) throws -> Response {
        let rows = try connection.query("""
            SELECT u.login, u.name, d.code AS dept, u.role, u.line, u.active, l.login IS NOT NULL AS locked
              FROM users u JOIN departments d ON d.id = u.dept_id
              LEFT JOIN dossier.auth_lockouts() l ON l.login = u.login
             WHERE $1::text IS NULL OR d.code = $1::text
             ORDER BY u.login
            """, [command.department?.rawValue]).rows.map { row -> Row in
            var out = Row()
            out.append("login", try row.decode("login", as: String.self))
            out.append("name", try row.decode("name", as: String.self))
            out.append("dept", try row.decode("dept", as: String.self))
            out.append("role", try row.decode("role", as: String.self))
            out.append("line", try row.decode("line", as: String.self))
            out.append("active", try row.decode("active", as: Bool.self))
            out.append("locked", try row.decode("locked", as: Bool.self))
            return out
        }
        return .rows(rows)
    }

    /// `USER UNLOCK`: clears a lockout (the failed attempts of the last 15
    /// minutes are forgotten). A login that is not locked answers OK all the same.
    static func unlock(_ login: Login, on connection: PostgresConnection) throws -> Response {
        guard try connection.query("SELECT 1 FROM users WHERE login = $1::text", [login.rawValue]).first != nil else {
            throw ProtocolError(.notFound, "no user \(login)")
        }
        let forgotten = try connection.query("SELECT dossier.auth_unlock($1::text) AS n", [login.rawValue])
            .firstRow().decode("n", as: Int64.self)
        try Audit.record(connection, action: "user.unlock", target: login.rawValue, detail: "failures=\(forgotten)")
        return .ok(login.rawValue)
    }

    /// Your own password, or anyone's as an administrator.
    static func changePassword(_ command: UserPasswd, actor: Actor, on connection: PostgresConnection) throws -> Response {
        guard actor.role == .admin || actor.login == command.login.rawValue else {
            throw ProtocolError(.denied, "only an administrator changes another user's password")
        }
        let changed = try connection.query("""
            UPDATE users SET password_hash = dossier.hash_password($2::text), updated_at = now()
             WHERE login = $1::text AND active
            """, [command.login.rawValue, command.newPassword.revealed])
        guard changed.affectedRows == 1 else { throw ProtocolError(.notFound, "no active user \(command.login.rawValue)") }
        try Audit.record(connection, action: "user.passwd", target: command.login.rawValue)
        return .ok()
    }
}
