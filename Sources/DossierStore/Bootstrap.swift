import Postgres

/// Creates the first department `HQ` and the first administrator of an empty
/// database. Runs as the daemon's scheduler identity (`system`), so it works
/// with the daemon's login as well as with a superuser.
public enum Bootstrap {
    public enum Outcome: Sendable, Equatable {
        case created(login: String)
        /// Users exist already: nothing was changed.
        case alreadyDone
    }

    public static func run(_ connection: PostgresConnection, adminLogin: String, password: String) throws -> Outcome {
        try connection.transaction { connection in
            try connection.query("SELECT dossier.begin_system_command('bootstrap')")
            // Serialize concurrent bootstraps of one database.
            try connection.query("SELECT pg_advisory_xact_lock($1::int8)", [Int64(0x626f_6f74)])
            let existing = try connection.query("SELECT EXISTS (SELECT 1 FROM dossier.users) AS any")
            if try existing.rows.first?.decode("any", as: Bool.self) == true {
                return .alreadyDone
            }
            try connection.query("""
                INSERT INTO dossier.departments (code, name) VALUES ('HQ', 'Headquarters')
                ON CONFLICT (code) DO NOTHING
                """)
            try connection.query("""
                INSERT INTO dossier.users (login, name, dept_id, role, line, password_hash)
                SELECT $1::text, $1::text, d.id, 'admin', 'service', dossier.hash_password($2::text)
                  FROM dossier.departments d WHERE d.code = 'HQ'
                """, [adminLogin, password])
            try connection.query("SELECT dossier.audit('user.bootstrap', $1::text, '', 'first administrator')", [adminLogin])
            return .created(login: adminLogin)
        }
    }
}
