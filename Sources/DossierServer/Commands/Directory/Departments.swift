import DossierDomain
import DossierProtocol
import Postgres

/// `DEPT ADD`, `DEPT LIST`: the sales offices every record belongs to.
enum Departments {
    static func add(_ command: DeptAdd, on connection: PostgresConnection) throws -> Response {
        try connection.query(
            "INSERT INTO departments (code, name) VALUES ($1::text, $2::text)", [command.code.rawValue, command.name])
        try Audit.record(connection, action: "dept.add", target: command.code.rawValue)
        return .ok(command.code.rawValue)
    }

    static func list(on connection: PostgresConnection) throws -> Response {
        let rows = try connection.query("SELECT code, name FROM departments ORDER BY code").rows.map { row -> Row in
            ["code": try row.decode("code", as: String.self), "name": try row.decode("name", as: String.self)]
        }
        return .rows(rows)
    }

    /// The id of a department by code, or `NOTFOUND`.
    static func id(of code: DepartmentCode, on connection: PostgresConnection) throws -> Int64 {
        guard let row = try connection.query("SELECT id FROM departments WHERE code = $1::text", [code.rawValue]).first else {
            throw ProtocolError(.notFound, "no department \(code.rawValue)")
        }
        return try row.decode("id", as: Int64.self)
    }
}
