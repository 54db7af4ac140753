import DossierDomain
import DossierProtocol
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

    /// The statement that opens a user's command of verb `spec`: the user's id
    /// and the command table's roles for the verb, which `begin_command`
    /// checks in the transaction (0142; SQLSTATE `refusedState`), so that
    /// statements sent after it in the same round trip never run for a
    /// refused role.
    static func beginStatement(_ user: SignedInUser, for spec: CommandSpec) -> PipelinedStatement {
        PipelinedStatement("SELECT * FROM dossier.begin_command($1::int8, $2::text[])",
                           [user.id, rolesArrays[spec.verb] ?? nil])
    }

    /// `begin_command`'s answer to a role the verb is not for (the role is its detail).
    static let refusedState = "DA001"

    /// The refusal of the command table, when `error` is `begin_command`'s.
    static func refusal(_ error: any Error, of spec: CommandSpec) -> ProtocolError? {
        guard let error = error as? PostgresError, error.sqlState == refusedState else { return nil }
        return ProtocolError(.denied, "\(spec.name) is not for role \(error.detail ?? "-")")
    }

    /// The command table's check, made again on the actor in Swift (a second line).
    static func checkAccess(_ spec: CommandSpec, _ actor: Actor) throws {
        guard spec.access.permits(actor.role) else {
            throw ProtocolError(.denied, "\(spec.name) is not for role \(actor.role.rawValue)")
        }
    }

    /// Each verb's roles as `begin_command` takes them, made once (not per command).
    private static let rolesArrays: [Verb: String?] = Dictionary(
        uniqueKeysWithValues: CommandTable.all.map { ($0.verb, rolesArray($0.access)) })

    /// A PostgreSQL array literal of the roles `access` names (role names
    /// are plain words); nil (no check) for verbs open to anyone.
    private static func rolesArray(_ access: Access) -> String? {
        switch access {
        case .anyone: nil
        case .roles(let roles): "{" + roles.map(\.rawValue).sorted().joined(separator: ",") + "}"
        }
    }

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
