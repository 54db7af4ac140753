import Foundation
import Postgres

/// The cluster-wide roles a dossier database depends on: the three roles of
/// the first migration, the logins that are members of `dossier_app` or
/// `dossier_owner`, and this database's BI logins (`dossier.bi_logins`). `pg_dump` dumps one database, not roles, so a backup lists them
/// and a restore creates the missing ones before `pg_restore` needs them.
enum DossierRoles {
    static let groupRoles = ["dossier_owner", "dossier_app", "dossier_bi"]

    /// Reads the roles (password verifiers only when the login is a superuser).
    static func read(_ connection: PostgresConnection) throws -> [BackupManifest.RoleRecord] {
        let superuser = try connection.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").rows.first?
            .decode("rolsuper", as: Bool.self) ?? false
        // pg_authid (verifiers) is readable by superusers only; pg_roles masks them.
        let passwords = superuser ? "(SELECT a.rolpassword FROM pg_authid a WHERE a.oid = r.oid)" : "NULL::text"
        let rows = try connection.query("""
            WITH base AS (SELECT oid FROM pg_roles WHERE rolname = ANY ($1::text[])),
            wanted AS (
                SELECT oid FROM base
                -- Logins of the daemon's and the owner's role (cluster-wide, but few).
                UNION SELECT m.member FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                       WHERE g.rolname IN ('dossier_app', 'dossier_owner')
                -- BI logins of this database only (other databases of the cluster have their own).
                UNION SELECT r.oid FROM pg_roles r JOIN dossier.bi_logins b ON b.role_name = r.rolname
            )
            SELECT r.rolname AS name, r.rolcanlogin AS login, \(passwords) AS password,
                   coalesce((SELECT json_agg(g.rolname ORDER BY g.rolname)::text
                               FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                              WHERE m.member = r.oid AND g.rolname = ANY ($1::text[])), '[]') AS member_of,
                   coalesce((SELECT array_to_json(s.setconfig)::text FROM pg_db_role_setting s
                              WHERE s.setrole = r.oid AND s.setdatabase = 0), '[]') AS settings
              FROM pg_roles r
             WHERE r.oid IN (SELECT oid FROM wanted) AND NOT r.rolsuper
             ORDER BY r.rolname = ANY ($1::text[]) DESC, r.rolname
            """, [groupRolesLiteral]).rows
        return try rows.map { row in
            BackupManifest.RoleRecord(
                name: try row.decode("name", as: String.self),
                login: try row.decode("login", as: Bool.self),
                password: try row.decode("password", as: String?.self),
                memberOf: try decodeJSONStrings(try row.decode("member_of", as: String.self)),
                settings: try decodeJSONStrings(try row.decode("settings", as: String.self)))
        }
    }

    /// Creates the roles that do not exist yet (as recorded) and grants every
    /// recorded membership and role setting. Returns the names it created.
    static func recreate(_ roles: [BackupManifest.RoleRecord], on connection: PostgresConnection) throws -> [String] {
        var created: [String] = []
        // Group roles first (the manifest lists them first), so grants find them.
        for role in roles {
            let exists = try connection.query("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1::text) AS e", [role.name])
                .rows[0].decode("e", as: Bool.self)
            if !exists {
                try runFormatted(connection, "CREATE ROLE %I \(role.login ? "LOGIN" : "NOLOGIN") NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE", [role.name])
                if let password = role.password {
                    // A stored verifier is taken as it is (PostgreSQL recognises SCRAM/md5 verifiers).
                    try runFormatted(connection, "ALTER ROLE %I PASSWORD %L", [role.name, password])
                }
                created.append(role.name)
            }
        }
        for role in roles {
            for group in role.memberOf {
                try runFormatted(connection, "GRANT %I TO %I", [group, role.name])
            }
            for setting in role.settings {
                guard let equals = setting.firstIndex(of: "=") else { continue }
                let name = String(setting[..<equals])
                let value = String(setting[setting.index(after: equals)...])
                guard name.allSatisfy({ $0.isLetter || $0 == "_" || $0 == "." }) else {
                    throw BackupError("role \(role.name) has a setting with an unexpected name: \(name)")
                }
                if name == "search_path" {
                    // A list of schema names: each quoted on its own.
                    let schemas = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    let quoted = try schemas.map { schema in
                        try connection.query("SELECT quote_ident($1::text) AS q", [schema]).rows[0].decode("q", as: String.self)
                    }
                    try runFormatted(connection, "ALTER ROLE %I SET search_path = \(quoted.joined(separator: ", "))", [role.name])
                } else {
                    try runFormatted(connection, "ALTER ROLE %I SET \(name) = %L", [role.name, value])
                }
            }
        }
        return created
    }

    /// The database-level settings and grants of the first migration, which a
    /// dump of the database's contents does not carry.
    static func grantDatabase(on connection: PostgresConnection) throws {
        try connection.execute(script: """
            DO $$
            BEGIN
                EXECUTE format('GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO dossier_owner', current_database());
                EXECUTE format('GRANT CONNECT ON DATABASE %I TO dossier_app, dossier_bi', current_database());
                EXECUTE format('ALTER DATABASE %I SET search_path = dossier, public', current_database());
            END $$;
            """)
    }

    private static var groupRolesLiteral: String { "{" + groupRoles.joined(separator: ",") + "}" }

    private static func decodeJSONStrings(_ text: String) throws -> [String] {
        guard let values = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else {
            throw BackupError("unexpected role listing: \(text)")
        }
        return values
    }

    /// Identifiers and literals quoted by PostgreSQL's own format().
    private static func runFormatted(_ connection: PostgresConnection, _ template: String, _ values: [String]) throws {
        let statement: PostgresResult
        switch values.count {
        case 1: statement = try connection.query("SELECT format($1::text, $2::text) AS sql", [template] + values)
        case 2: statement = try connection.query("SELECT format($1::text, $2::text, $3::text) AS sql", [template] + values)
        default: preconditionFailure("runFormatted takes one or two values")
        }
        try connection.execute(script: try statement.rows[0].decode("sql", as: String.self))
    }
}
