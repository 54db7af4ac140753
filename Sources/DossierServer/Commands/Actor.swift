import DossierDomain
import Postgres

/// Who runs the current command, fresh from `dossier.begin_command` in the
/// command's own transaction (which also sets the row-level-security settings).
struct Actor: Sendable {
    let userID: Int64
    let login: String
    let role: Role
    let departmentID: Int64
    let departmentCode: String
    let line: StaffLine

    /// Opens the command for `user`: fails with `.auth` if the user was disabled since login.
    static func begin(_ user: SignedInUser, on connection: PostgresConnection) throws -> Actor {
        let row = try connection.query("SELECT * FROM dossier.begin_command($1::int8)", [user.id]).firstRow()
        guard let role = Role(rawValue: try row.decode("role", as: String.self)),
              let line = StaffLine(rawValue: try row.decode("line", as: String.self))
        else { throw PostgresError(kind: .client, message: "unexpected role or line for user \(user.id)") }
        return Actor(
            userID: try row.decode("user_id", as: Int64.self),
            login: try row.decode("login", as: String.self),
            role: role,
            departmentID: try row.decode("dept_id", as: Int64.self),
            departmentCode: try row.decode("dept_code", as: String.self),
            line: line
        )
    }
}
