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

    /// The statement that opens every command of a signed-in user (sent with
    /// `BEGIN`, see `CommandExecutor`); parameter: the user's id.
    static let beginStatement = "SELECT * FROM dossier.begin_command($1::int8)"

    /// Opens the command for `user`: fails with `.auth` if the user was disabled since login.
    static func begin(_ user: SignedInUser, on connection: PostgresConnection) throws -> Actor {
        try Actor(begun: connection.query(beginStatement, [user.id]), user: user)
    }

    /// The actor from the answer of `beginStatement`.
    init(begun result: PostgresResult, user: SignedInUser) throws {
        let row = try result.firstRow()
        guard let role = Role(rawValue: try row.decode("role", as: String.self)),
              let line = StaffLine(rawValue: try row.decode("line", as: String.self))
        else { throw PostgresError(kind: .client, message: "unexpected role or line for user \(user.id)") }
        self.init(
            userID: try row.decode("user_id", as: Int64.self),
            login: try row.decode("login", as: String.self),
            role: role,
            departmentID: try row.decode("dept_id", as: Int64.self),
            departmentCode: try row.decode("dept_code", as: String.self),
            line: line
        )
    }

    /// What the approval chain of this actor's request depends on, for a
    /// subject of `level` and `scope` belonging to department `departmentID`.
    func approvalSubject(level: Level, scope: Scope, departmentID: Int64) -> ApprovalPolicy.Subject {
        .init(level: level, scope: scope, requester: role,
              requesterManagesDepartment: role == .manager && self.departmentID == departmentID)
    }

    init(userID: Int64, login: String, role: Role, departmentID: Int64, departmentCode: String, line: StaffLine) {
        self.userID = userID
        self.login = login
        self.role = role
        self.departmentID = departmentID
        self.departmentCode = departmentCode
        self.line = line
    }
}
