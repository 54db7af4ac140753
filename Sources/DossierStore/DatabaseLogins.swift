import Postgres

/// PostgreSQL logins that use the database: the daemon's own and BI logins.
/// These statements need a login with CREATEROLE (the migrating login).
public enum DatabaseLogins {
    /// The role names created by the first migration.
    public static let ownerRole = "dossier_owner"
    public static let daemonRole = "dossier_app"
    public static let biGroupRole = "dossier_bi"

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case badRoleName(String)
        case unknownDepartment(String)
        /// A role of the product, a superuser, a role that bypasses row-level
        /// security or a daemon login: never made a BI login.
        case reservedRole(String)

        public var description: String {
            switch self {
            case .reservedRole(let name):
                "\(name) is a role of dossierd, a superuser or a daemon login; a BI login needs a role of its own"

            case .badRoleName(let name):
                "login name \(name) must match [a-z_][a-z0-9_]{0,62}"
            case .unknownDepartment(let code):
                "no department \(code)"
            }
        }
    }

    /// Creates (or updates) a BI login that reads one department, or the whole
    /// company when `departmentCode` is nil. It sees rows through the same
    /// row-level security as the daemon's users, never password hashes. Its
    /// sessions start in the company's time zone as it is now (run it again
    /// after `COMPANY SET timezone=`).
    public static func createBILogin(
        _ connection: PostgresConnection, name: String, password: String?, departmentCode: String?
    ) throws {
        guard isValidRoleName(name) else { throw Failure.badRoleName(name) }
        try connection.transaction { connection in
            try refuseReserved(name, on: connection)
            var deptID: Int64? = nil
            if let code = departmentCode {
                let row = try connection.query("SELECT id FROM dossier.departments WHERE code = $1::text", [code]).rows.first
                guard let row else { throw Failure.unknownDepartment(code) }
                deptID = try row.decode("id", as: Int64.self)
            }
            // Identifiers cannot be parameters: PostgreSQL's own format() quotes them.
            let exists = try connection.query("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1::text) AS e", [name])
            let verb = try exists.rows.first?.decode("e", as: Bool.self) == true ? "ALTER" : "CREATE"
            try runFormatted(connection, "\(verb) ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE", [name])
            if let password {
                try runFormatted(connection, "ALTER ROLE %I PASSWORD %L", [name, try connection.encryptPassword(password, user: name)])
            }
            try runFormatted(connection, "GRANT dossier_bi TO %I", [name])
            try runFormatted(connection, "ALTER ROLE %I SET search_path = dossier, public", [name])
            // Its sessions count days and show times in the company's zone, as the
            // daemon's commands do (a BI tool may still set its own).
            let zone = try connection.query("SELECT dossier.company_time_zone() AS z").rows.first?.decode("z", as: String.self)
            try runFormatted(connection, "ALTER ROLE %I SET timezone = %L", [name, zone ?? "Asia/Shanghai"])
            try connection.query("""
                INSERT INTO dossier.bi_logins (role_name, dept_id) VALUES ($1::name, $2::int8)
                ON CONFLICT (role_name) DO UPDATE SET dept_id = EXCLUDED.dept_id
                """, [name, deptID])
        }
    }

    /// GRANT dossier_bi and LOGIN would otherwise turn the schema owner, the
    /// daemon's role or a superuser into a login that reads as a BI tool.
    private static func refuseReserved(_ name: String, on connection: PostgresConnection) throws {
        let reserved = try connection.query("""
            SELECT $1::text IN ('dossier_owner', 'dossier_app', 'dossier_bi')
                OR EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = $1::text
                              AND (r.rolsuper OR r.rolbypassrls OR r.rolcreaterole
                                   OR pg_has_role(r.oid, 'dossier_owner', 'MEMBER')
                                   OR pg_has_role(r.oid, 'dossier_app', 'MEMBER'))) AS reserved
            """, [name]).rows.first?.decode("reserved", as: Bool.self)
        if reserved != false { throw Failure.reservedRole(name) }
    }

    /// Lets the daemon's role log in (with a password where the cluster asks for
    /// one; sent as a SCRAM verifier, never in clear).
    public static func enableDaemonLogin(_ connection: PostgresConnection, password: String?) throws {
        try connection.query("ALTER ROLE dossier_app LOGIN")
        if let password {
            try runFormatted(connection, "ALTER ROLE dossier_app PASSWORD %L",
                             [try connection.encryptPassword(password, user: daemonRole)])
        }
    }

    static func isValidRoleName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63 else { return false }
        let lower = Unicode.Scalar("a")...Unicode.Scalar("z")
        let digit = Unicode.Scalar("0")...Unicode.Scalar("9")
        guard lower.contains(first) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { lower.contains($0) || digit.contains($0) || $0 == "_" }
    }

    /// Runs a utility statement whose identifiers and literals PostgreSQL itself
    /// quotes with format(%I, %L); the values still travel as parameters.
    private static func runFormatted(_ connection: PostgresConnection, _ template: String, _ values: [String]) throws {
        let statement: PostgresResult
        switch values.count {
        case 1: statement = try connection.query("SELECT format($1::text, $2::text) AS sql", [template] + values)
        case 2: statement = try connection.query("SELECT format($1::text, $2::text, $3::text) AS sql", [template] + values)
        default: preconditionFailure("runFormatted takes one or two values")
        }
        try connection.execute(script: try statement.firstRow().decode("sql", as: String.self))
    }
}
