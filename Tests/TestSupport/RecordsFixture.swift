import Postgres

/// Departments, one user per role and department, customers and dossiers of
/// every level, scope and status, written as the superuser (past row-level
/// security) so that visibility can then be checked as each kind of reader.
public struct RecordsFixture: Sendable {
    public struct User: Sendable, Hashable {
        public let id: Int64
        public let login: String
        public let role: String
        public let dept: String
    }
    public struct Dossier: Sendable, Hashable {
        public let id: Int64
        public let dept: String
        public let owner: String
        public let level: String
        public let scope: String
        public let status: String
    }

    public let users: [User]
    public let dossiers: [Dossier]
    /// Dossier ids with an unexpired grant for rep2.sh, and with an expired one.
    public let grantedToRep2: Int64
    public let expiredGrantForRep2: Int64
    /// Dossier id lent (out) to rep2.sh.
    public let lentToRep2: Int64

    public static let levels = ["internal", "secret", "confidential", "top_secret"]
    public static let scopes = ["personal", "department", "company"]

    public func user(_ login: String) -> User { users.first { $0.login == login }! }

    public static func load(into connection: PostgresConnection) throws -> RecordsFixture {
        try connection.execute(script: """
            SET search_path = dossier, public;
            INSERT INTO departments (code, name) VALUES ('HQ', '总部'), ('SH', '上海办事处'), ('BJ', '北京办事处')
                ON CONFLICT (code) DO NOTHING;
            """)
        let people: [(String, String, String)] = [
            ("rep.sh", "SH", "rep"), ("rep2.sh", "SH", "rep"), ("mgr.sh", "SH", "manager"), ("arc.sh", "SH", "archivist"),
            ("rep.bj", "BJ", "rep"), ("mgr.bj", "BJ", "manager"), ("arc.bj", "BJ", "archivist"),
            ("dir", "HQ", "director"), ("aud", "HQ", "auditor"), ("adm", "HQ", "admin"),
        ]
        var users: [User] = []
        for (login, dept, role) in people {
            let row = try connection.query("""
                INSERT INTO dossier.users (login, name, dept_id, role, password_hash)
                SELECT $1::text, $1::text, d.id, $3::text, crypt('secret', gen_salt('bf', 4))
                  FROM dossier.departments d WHERE d.code = $2::text
                RETURNING id
                """, [login, dept, role]).rows[0]
            users.append(User(id: try row.decode("id", as: Int64.self), login: login, role: role, dept: dept))
        }
        func userID(_ login: String) -> Int64 { users.first { $0.login == login }!.id }

        var dossiers: [Dossier] = []
        var sequence = 0
        for owner in ["rep.sh", "rep.bj"] {
            let dept = owner.hasSuffix(".sh") ? "SH" : "BJ"
            let customer = try connection.query("""
                INSERT INTO dossier.customers (number, name, owner_id, dept_id)
                SELECT 'C-2026-' || lpad($3::text, 5, '0'), $1::text, $2::int8, d.id FROM dossier.departments d WHERE d.code = $4::text
                RETURNING id
                """, ["客户 \(owner)", userID(owner), dept == "SH" ? 1 : 2, dept]).rows[0].decode("id", as: Int64.self)
            // The phone as the daemon keeps it (0070): sealed (any bytes will do here) and masked.
            try connection.query("""
                INSERT INTO dossier.customer_details (customer_id, phone_sealed, phone_masked) VALUES ($1::int8, '\\x01'::bytea, '138****0000')
                """, [customer])
            for (index, level) in levels.enumerated() {
                for status in ["draft", "submitted", "filed", "deleted"] {
                    sequence += 1
                    let scope = scopes[(index + sequence) % scopes.count]
                    let filed = status == "filed"
                    let row = try connection.query("""
                        INSERT INTO dossier.dossiers (dept_id, category, level, scope, status, owner_id, number, filed_year, filed_seq,
                                                      deleted_at, purge_after, status_before_delete)
                        SELECT d.id, 'HT', $1::text, $2::text, $3::text, $4::int8,
                               CASE WHEN $5::bool THEN d.code || '-HT-2026-' || lpad($6::text, 4, '0') END,
                               CASE WHEN $5::bool THEN 2026 END, CASE WHEN $5::bool THEN $6::int4 END,
                               CASE WHEN $3::text = 'deleted' THEN now() END,
                               CASE WHEN $3::text = 'deleted' THEN now() + interval '30 days' END,
                               CASE WHEN $3::text = 'deleted' THEN 'draft' END
                          FROM dossier.departments d WHERE d.code = $7::text
                        RETURNING id
                        """, [level, scope, status, userID(owner), filed, sequence, dept]).rows[0]
                    let id = try row.decode("id", as: Int64.self)
                    try connection.query(
                        "INSERT INTO dossier.dossier_contents (dossier_id, customer_id, title) VALUES ($1::int8, $2::int8, $3::text)",
                        [id, customer, "合同 \(id)"])
                    try connection.query(
                        "INSERT INTO dossier.items (dossier_id, item_no, title) VALUES ($1::int8, 1, '正本')", [id])
                    dossiers.append(Dossier(id: id, dept: dept, owner: owner, level: level, scope: scope, status: status))
                }
            }
        }
        func find(_ owner: String, _ level: String, _ status: String) -> Int64 {
            dossiers.first { $0.owner == owner && $0.level == level && $0.status == status }!.id
        }
        let granted = find("rep.bj", "secret", "filed")
        let expired = find("rep.bj", "internal", "filed")
        let lent = find("rep.bj", "confidential", "filed")
        try connection.query("""
            INSERT INTO dossier.access_grants (dossier_id, dept_id, grantee_id, purpose, starts_at, expires_at)
            SELECT $1::int8, d.dept_id, $2::int8, '核对', now() - interval '1 hour', now() + interval '1 day' FROM dossier.dossiers d WHERE d.id = $1::int8
            """, [granted, userID("rep2.sh")])
        try connection.query("""
            INSERT INTO dossier.access_grants (dossier_id, dept_id, grantee_id, purpose, starts_at, expires_at)
            SELECT $1::int8, d.dept_id, $2::int8, '核对', now() - interval '2 days', now() - interval '1 day' FROM dossier.dossiers d WHERE d.id = $1::int8
            """, [expired, userID("rep2.sh")])
        try connection.query("""
            INSERT INTO dossier.loans (dossier_id, dept_id, borrower_id, purpose, mode, requested_duration, status, checked_out_at, due_at)
            SELECT $1::int8, d.dept_id, $2::int8, '审计', 'reading_room', interval '4 hours', 'out', now(), now() + interval '4 hours'
              FROM dossier.dossiers d WHERE d.id = $1::int8
            """, [lent, userID("rep2.sh")])
        return RecordsFixture(users: users, dossiers: dossiers, grantedToRep2: granted, expiredGrantForRep2: expired, lentToRep2: lent)
    }
}

extension PostgresConnection {
    /// Runs `body` in one transaction as the daemon does for a user's command.
    public func asUser<T>(_ userID: Int64, _ body: (PostgresConnection) throws -> T) throws -> T {
        try transaction { connection in
            try connection.query("SELECT * FROM dossier.begin_command($1::int8)", [userID])
            return try body(connection)
        }
    }

    /// The ids a query returns, as a set.
    public func ids(_ sql: String, _ params: [(any PostgresEncodable)?] = []) throws -> Set<Int64> {
        Set(try query(sql, params).rows.map { try $0.decode(0, as: Int64.self) })
    }
}
