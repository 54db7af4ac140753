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

/// `USER SET`, `USER ACTIVATE`: administrators change a user's name, role,
/// department and staff line, audited field by field. Customers and dossiers
/// belong to a department (RULES.md): a user moving to another department, or
/// taking a role that owns none (archivist, auditor, admin), leaves theirs with
/// a successor of the old department through a recorded handover — never moved
/// along or left behind silently. Without `successor=` such a change is refused
/// with the counts.
enum UserChanges {
    /// Roles that own customers and dossiers (`Customers.owner(for:)`).
    static let owningRoles: Set<Role> = [.rep, .manager, .director]

    static func set(_ command: UserSet, actor: Actor, on connection: PostgresConnection) throws -> Response {
        guard let row = try connection.query("""
            SELECT u.id, u.name, u.role, u.line, u.active, u.dept_id, d.code AS dept
              FROM users u JOIN departments d ON d.id = u.dept_id
             WHERE u.login = $1::text FOR UPDATE OF u
            """, [command.login.rawValue]).first
        else { throw ProtocolError(.notFound, "no user \(command.login.rawValue)") }
        let userID = try row.decode("id", as: Int64.self)
        let oldName = try row.decode("name", as: String.self)
        let oldRole = Role(rawValue: try row.decode("role", as: String.self))
        let oldLine = try row.decode("line", as: String.self)
        let oldDept = try row.decode("dept", as: String.self)
        let oldDeptID = try row.decode("dept_id", as: Int64.self)

        let name = command.name ?? oldName
        let role = command.role ?? oldRole
        let line = command.line?.rawValue ?? oldLine
        let dept = command.department?.rawValue ?? oldDept
        let deptID = try command.department.map { try Departments.id(of: $0, on: connection) } ?? oldDeptID
        guard let role else { throw PostgresError(kind: .client, message: "unexpected role of \(command.login.rawValue)") }

        if oldRole == .admin && role != .admin {
            let others = try connection.query(
                "SELECT count(*)::int8 AS n FROM users WHERE role = 'admin' AND active AND id <> $1::int8", [userID]
            ).rows[0].decode("n", as: Int.self)
            guard others > 0 else { throw ProtocolError(.conflict, "\(command.login.rawValue) is the last active administrator") }
        }

        var changed: [String] = []
        if name != oldName { changed.append("name") }
        if role != oldRole { changed.append("role \(oldRole?.rawValue ?? "?") -> \(role.rawValue)") }
        if deptID != oldDeptID { changed.append("dept \(oldDept) -> \(dept)") }
        if line != oldLine { changed.append("line \(oldLine) -> \(line)") }
        let state = "\(command.login.rawValue) name=\(TextResponseEncoder.quote(name)) role=\(role.rawValue) dept=\(dept) line=\(line)"
        guard !changed.isEmpty else { return .ok(state + " unchanged") }
        try Audit.record(connection, action: "user.set", target: command.login.rawValue, detail: changed.joined(separator: ", "))

        // Whether the user may keep what they own: same department, an owning role.
        let mustHandOver = deptID != oldDeptID || !owningRoles.contains(role)
        var suffix = ""
        if mustHandOver {
            let successor = try command.successor.map { try self.successor($0, of: command.login, department: oldDeptID, on: connection) }
            // Administrators see no customer data: counting and moving run as the system.
            try connection.query("SELECT dossier.begin_system_command('user-set')")
            let owned = try connection.query("""
                SELECT (SELECT count(*) FROM customers WHERE owner_id = $1::int8)::int8 AS customers,
                       (SELECT count(*) FROM dossiers WHERE owner_id = $1::int8)::int8 AS dossiers
                """, [userID]).rows[0]
            let customers = try owned.decode("customers", as: Int.self)
            let dossiers = try owned.decode("dossiers", as: Int.self)
            if customers + dossiers > 0 {
                guard let successor else {
                    let why = deptID != oldDeptID
                        ? "they stay in \(oldDept) (records belong to their department)"
                        : "a \(role.rawValue) owns no customers or dossiers"
                    throw ProtocolError(.conflict, "\(command.login.rawValue) owns \(customers) customer(s) and \(dossiers) dossier(s) of \(oldDept); \(why): add successor=<login of \(oldDept)> to hand them over (a recorded handover)")
                }
                let moved = try Handover.move(
                    from: userID, to: successor, department: oldDeptID, occasion: "transfer",
                    toDepartment: deptID == oldDeptID ? nil : deptID, performedBy: actor.userID, on: connection)
                suffix = " handover=\(moved.id) customers=\(moved.customers) dossiers=\(moved.dossiers)"
            } else {
                suffix = " customers=0 dossiers=0"
            }
        }
        try connection.query("""
            UPDATE users SET name = $2::text, role = $3::text, dept_id = $4::int8, line = $5::text, updated_at = now()
             WHERE id = $1::int8
            """, [userID, name, role.rawValue, deptID, line])
        return .ok(state + suffix)
    }

    /// An active user of the old department who may own customers and dossiers.
    private static func successor(_ login: Login, of user: Login, department: Int64, on connection: PostgresConnection) throws -> Int64 {
        guard login != user else { throw ProtocolError.invalid("successor", "must be someone else") }
        guard let row = try connection.query(
            "SELECT id, role, dept_id FROM users WHERE login = $1::text AND active", [login.rawValue]).first
        else { throw ProtocolError(.notFound, "no active user \(login.rawValue)") }
        guard try row.decode("dept_id", as: Int64.self) == department else {
            throw ProtocolError(.conflict, "the successor must work in the user's present department")
        }
        guard let role = Role(rawValue: try row.decode("role", as: String.self)), owningRoles.contains(role) else {
            throw ProtocolError.invalid("successor", "must be a rep, manager or director")
        }
        return try row.decode("id", as: Int64.self)
    }

    static func activate(_ login: Login, on connection: PostgresConnection) throws -> Response {
        guard let row = try connection.query("SELECT active FROM users WHERE login = $1::text FOR UPDATE", [login.rawValue]).first else {
            throw ProtocolError(.notFound, "no user \(login.rawValue)")
        }
        guard try !row.decode("active", as: Bool.self) else { throw ProtocolError(.conflict, "\(login.rawValue) is active") }
        try connection.query("""
            UPDATE users SET active = true, left_at = NULL, updated_at = now() WHERE login = $1::text
            """, [login.rawValue])
        try Audit.record(connection, action: "user.activate", target: login.rawValue)
        return .ok(login.rawValue)
    }
}
