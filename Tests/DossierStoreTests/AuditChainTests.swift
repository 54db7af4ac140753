import DossierStore
import Postgres
import Testing
import TestSupport

/// The audit log's hash chains at SQL level (migration 0013): concurrent
/// writers, what `dossier.audit_verify()` finds after a superuser's edit, a
/// deleted row or an appended one, rows written before the chains existed, and
/// who reads which rows.
@Suite struct AuditChainTests {
    /// What `dossier.audit_verify()` answers: rows checked, the first broken row.
    struct Verification: Equatable, CustomStringConvertible {
        var verified: Int
        var brokenAt: Int64?

        init(verified: Int, brokenAt: Int64? = nil) {
            self.verified = verified
            self.brokenAt = brokenAt
        }

        init(_ connection: PostgresConnection) throws {
            let row = try connection.query("SELECT verified, broken_at FROM dossier.audit_verify()").rows[0]
            self.init(verified: try row.decode("verified", as: Int.self), brokenAt: try row.decode("broken_at", as: Int64?.self))
        }

        var description: String { "verified \(verified), broken at \(brokenAt.map(String.init) ?? "-")" }
    }

    /// A migrated database with the records fixture, the superuser and the daemon's role.
    struct Setup {
        let database: MigratedDatabase
        let admin: PostgresConnection
        let daemon: PostgresConnection
        let fixture: RecordsFixture

        init() throws {
            database = try MigratedDatabase.create()
            admin = try database.admin()
            fixture = try RecordsFixture.load(into: admin)
            daemon = try database.daemon()
        }

        func close() {
            daemon.close()
            admin.close()
        }

        /// `count` audit rows as `login`, one transaction each, in `chain`
        /// (the transaction's chain is a setting the writer keeps; setting it
        /// first picks the chain); returns their ids.
        @discardableResult
        func write(_ count: Int, as login: String = "dir", chain: Int, target: String = "D1") throws -> [Int64] {
            try (0..<count).map { n in
                try daemon.asUser(fixture.user(login).id) { connection in
                    try connection.query("SELECT set_config('dossier.audit_chain', $1::text, true)", [String(chain)])
                    return try connection.query("SELECT dossier.audit('dossier.show', $1::text, $2::text) AS id",
                                                [target, "read \(n)"]).rows[0].decode("id", as: Int64.self)
                }
            }
        }

        func verify() throws -> Verification { try Verification(daemon) }

        /// As the superuser, with triggers off (what it takes to change an audit row at all).
        func tamper(_ statement: String) throws {
            try admin.execute(script: "SET session_replication_role = replica; \(statement); RESET session_replication_role;")
        }
    }

    @Test func concurrentWritersOnManyConnectionsLeaveVerifiableChains() async throws {
        let setup = try Setup()
        defer { setup.close() }
        let users = setup.fixture.users.filter { $0.role != "admin" }.map(\.id)
        let pool = ConnectionPool(.init(conninfo: setup.database.daemonConninfo, size: 12, acquireTimeout: .seconds(120)))
        // 240 commands of one to three audit rows each, on twelve connections;
        // verifications run among them and never see a half-written chain.
        let written = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<240 {
                group.addTask {
                    try await pool.transaction { connection in
                        if n % 40 == 0 {
                            let row = try connection.query("SELECT broken_at FROM dossier.audit_verify()").rows[0]
                            #expect(try row.decode("broken_at", as: Int64?.self) == nil)
                        }
                        try connection.query("SELECT * FROM dossier.begin_command($1::int8)", [users[n % users.count]])
                        let rows = 1 + n % 3
                        for step in 0..<rows {
                            try connection.query("SELECT dossier.audit('dossier.show', $1::text, $2::text)", ["D\(n)", "step \(step)"])
                        }
                        return rows
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        await pool.shutdown()

        let result = try setup.verify()
        #expect(result.verified == written)
        #expect(result.brokenAt == nil)
        // Writers spread over chains; each chain is 1…n with ids growing along it.
        let chains = try setup.admin.query("""
            SELECT chain, count(*)::int8 AS n, max(position) AS last,
                   bool_and(next_id IS NULL OR next_id > id) AS ids_grow
              FROM (SELECT chain, position, id, lead(id) OVER (PARTITION BY chain ORDER BY position) AS next_id
                      FROM dossier.audit_log) a
             GROUP BY chain
            """).rows
        #expect(chains.count > 1, "all writers used one chain")
        for row in chains {
            #expect(try row.decode("n", as: Int64.self) == row.decode("last", as: Int64.self))
            #expect(try row.decode("ids_grow", as: Bool.self))
        }
        // One command's rows stay in one chain, one after another.
        let split = try setup.admin.query("""
            SELECT count(*)::int8 FROM (SELECT target FROM dossier.audit_log GROUP BY target
                                        HAVING count(DISTINCT chain) > 1 OR max(position) - min(position) + 1 <> count(*)) t
            """).rows[0].decode(0, as: Int.self)
        #expect(split == 0)
    }

    @Test func aSuperusersUpdateIsNamed() throws {
        let setup = try Setup()
        defer { setup.close() }
        let first = try setup.write(3, chain: 4)
        try setup.write(3, chain: 9)
        #expect(try setup.verify() == Verification(verified: 6))
        try setup.tamper("UPDATE dossier.audit_log SET purpose = 'forged' WHERE id = \(first[1])")
        #expect(try setup.verify().brokenAt == first[1])
    }

    @Test func theFirstBrokenRowIsTheLowestIdOfAnyChain() throws {
        let setup = try Setup()
        defer { setup.close() }
        let a = try setup.write(3, chain: 1)
        let b = try setup.write(3, chain: 2)
        try setup.tamper("UPDATE dossier.audit_log SET target = 'D2' WHERE id IN (\(a[2]), \(b[0]))")
        #expect(try setup.verify().brokenAt == a[2])
        try setup.tamper("UPDATE dossier.audit_log SET login = 'someone' WHERE id = \(a[0])")
        #expect(try setup.verify().brokenAt == a[0])
    }

    @Test func aDeletedMiddleRowBreaksTheNextRowOfItsChain() throws {
        let setup = try Setup()
        defer { setup.close() }
        let ids = try setup.write(4, chain: 3)
        try setup.write(2, chain: 5)
        try setup.tamper("DELETE FROM dossier.audit_log WHERE id = \(ids[1])")
        #expect(try setup.verify() == Verification(verified: 5, brokenAt: ids[2]))
    }

    @Test func aDeletedTailIsFoundByTheChainsHead() throws {
        let setup = try Setup()
        defer { setup.close() }
        let ids = try setup.write(4, chain: 6)
        try setup.write(2, chain: 7)
        // The last two rows of chain 6 go: every remaining row still links up,
        // but the head still points at the last one.
        try setup.tamper("DELETE FROM dossier.audit_log WHERE id IN (\(ids[2]), \(ids[3]))")
        #expect(try setup.verify() == Verification(verified: 4, brokenAt: ids[3]))
        // A whole chain deleted.
        let fresh = try Setup()
        defer { fresh.close() }
        let only = try fresh.write(2, chain: 8)
        try fresh.tamper("DELETE FROM dossier.audit_log")
        #expect(try fresh.verify() == Verification(verified: 0, brokenAt: only[1]))
    }

    @Test func aRowAppendedBehindTheProductsBackIsNamedEvenWithAGoodSeal() throws {
        let setup = try Setup()
        defer { setup.close() }
        try setup.write(2, chain: 10)
        // A forged row that links to the chain's last row and carries a correct
        // digest: only the head (not moved) shows it.
        try setup.tamper("""
            INSERT INTO dossier.audit_log (login, role, action, target, chain, position, prev_hash, hash)
            SELECT 'dir', 'director', 'dossier.show', 'D1', chain, last_position + 1, last_hash, '\\x00'
              FROM dossier.audit_chains WHERE chain = 10;
            UPDATE dossier.audit_log a SET hash = dossier.audit_digest(a.prev_hash, a)
             WHERE id = (SELECT max(id) FROM dossier.audit_log)
            """)
        let forged = try setup.admin.query("SELECT max(id) FROM dossier.audit_log").rows[0].decode(0, as: Int64.self)
        #expect(try setup.verify() == Verification(verified: 3, brokenAt: forged))
    }

    @Test func aRowMovedToAnotherChainOrVersionIsNamed() throws {
        let setup = try Setup()
        defer { setup.close() }
        let ids = try setup.write(2, chain: 11)
        try setup.tamper("UPDATE dossier.audit_log SET chain = 12 WHERE id = \(ids[1])")
        #expect(try setup.verify().brokenAt == ids[1])
        let other = try Setup()
        defer { other.close() }
        let mine = try other.write(2, chain: 13)
        // Version 1 does not cover chain and position; only rows from before the
        // chains may claim it. Everything else is made consistent again.
        try other.tamper("""
            UPDATE dossier.audit_log a SET digest_version = 1 WHERE id = \(mine[0]);
            UPDATE dossier.audit_log a SET hash = dossier.audit_digest(a.prev_hash, a) WHERE id = \(mine[0]);
            UPDATE dossier.audit_log a SET prev_hash = (SELECT hash FROM dossier.audit_log WHERE id = \(mine[0])) WHERE id = \(mine[1]);
            UPDATE dossier.audit_log a SET hash = dossier.audit_digest(a.prev_hash, a) WHERE id = \(mine[1]);
            UPDATE dossier.audit_chains SET last_hash = (SELECT hash FROM dossier.audit_log WHERE id = \(mine[1])) WHERE chain = 13
            """)
        #expect(try other.verify().brokenAt == mine[0])
    }

    @Test func rowsWrittenBeforeTheChainsBecomeChainZeroAndKeepTheirHashes() throws {
        let (_, conninfo) = try MigratedDatabase.createEmpty()
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        let beforeChains = MigrationCatalog.all.filter { $0.version < 13 }
        try Migrator(migrations: beforeChains).migrate(connection)
        try connection.transaction { connection in
            try connection.query("SELECT dossier.begin_system_command('legacy')")
            for n in 0..<5 { try connection.query("SELECT dossier.audit('dossier.show', $1::text)", ["D\(n)"]) }
        }
        let before = try connection.query("SELECT id, hash FROM dossier.audit_log ORDER BY id").rows
            .map { (try $0.decode("id", as: Int64.self), try $0.decode("hash", as: [UInt8].self)) }
        try Migrator().migrate(connection)

        let after = try connection.query("SELECT id, hash, chain, position, digest_version FROM dossier.audit_log ORDER BY id").rows
        #expect(after.count == 5)
        for (n, row) in after.enumerated() {
            #expect(try row.decode("id", as: Int64.self) == before[n].0)
            #expect(try row.decode("hash", as: [UInt8].self) == before[n].1)
            #expect(try row.decode("chain", as: Int.self) == 0)
            #expect(try row.decode("position", as: Int.self) == n + 1)
            #expect(try row.decode("digest_version", as: Int.self) == 1)
        }
        func verify() throws -> Verification { try Verification(connection) }
        #expect(try verify() == Verification(verified: 5))
        // Chain 0 goes on after the old rows with version-2 rows.
        try connection.transaction { connection in
            try connection.query("SELECT dossier.begin_system_command('after')")
            try connection.query("SELECT set_config('dossier.audit_chain', '0', true)")
            try connection.query("SELECT dossier.audit('dossier.show', 'D9')")
        }
        #expect(try verify() == Verification(verified: 6))
        try connection.execute(script: """
            SET session_replication_role = replica;
            UPDATE dossier.audit_log SET purpose = 'forged' WHERE id = \(before[2].0);
            RESET session_replication_role;
            """)
        #expect(try verify() == Verification(verified: 6, brokenAt: before[2].0))
    }

    /// The log has no foreign keys (0170: each check locked the user's and
    /// the department's row, so every command of a department queued on one
    /// row); users and departments are never deleted instead, so what a row
    /// names always exists. Not even the superuser deletes them.
    @Test func usersAndDepartmentsTheLogNamesAreNeverDeleted() throws {
        let setup = try Setup()
        defer { setup.close() }
        try setup.write(1, as: "dir", chain: 0)
        let user = setup.fixture.user("dir")
        let refused = [
            "DELETE FROM dossier.users WHERE id = \(user.id)",
            "DELETE FROM dossier.departments",
            "TRUNCATE dossier.users CASCADE",
            "TRUNCATE dossier.departments CASCADE",
        ]
        for statement in refused {
            do {
                try setup.admin.query(statement)
                Issue.record("the superuser could run: \(statement)")
            } catch let error as PostgresError {
                #expect(error.sqlState == "42501", "\(statement): \(error)")
            }
        }
        #expect(try setup.admin.query("SELECT count(*) AS n FROM dossier.audit_log a JOIN dossier.users u ON u.id = a.user_id")
            .rows[0].decode("n", as: Int64.self) == 1)
    }

    @Test func theDaemonsRoleOnlyAppends() throws {
        let setup = try Setup()
        defer { setup.close() }
        try setup.write(2, chain: 0)
        let refused = [
            "UPDATE dossier.audit_log SET purpose = 'x'",
            "UPDATE dossier.audit_log SET chain = 1",
            "DELETE FROM dossier.audit_log",
            "TRUNCATE dossier.audit_log",
            "INSERT INTO dossier.audit_log (login, role, action, chain, position, prev_hash, hash) VALUES ('x', 'x', 'x', 0, 9, '', '')",
            "SELECT * FROM dossier.audit_chains",
            "UPDATE dossier.audit_chains SET last_position = 0",
            "INSERT INTO dossier.audit_chains (chain) VALUES (99)",
            "ALTER TABLE dossier.audit_log DISABLE TRIGGER audit_log_append_only",
            "SET session_replication_role = replica",
        ]
        for statement in refused {
            do {
                try setup.daemon.asUser(setup.fixture.user("dir").id) { try $0.query(statement) }
                Issue.record("the daemon's role could run: \(statement)")
            } catch let error as PostgresError {
                #expect(error.sqlState == "42501", "\(statement): \(error)")
            }
        }
        #expect(try setup.verify() == Verification(verified: 2))
    }

    @Test func auditRowsAreReadAsTheRolesTableSays() throws {
        let setup = try Setup()
        defer { setup.close() }
        for login in ["rep.sh", "rep2.sh", "mgr.sh", "rep.bj", "aud", "dir"] {
            try setup.write(1, as: login, chain: 0, target: login)
        }
        func seen(by login: String) throws -> Set<String> {
            try setup.daemon.asUser(setup.fixture.user(login).id) { connection in
                Set(try connection.query("SELECT target FROM dossier.audit_log").rows.map { try $0.decode(0, as: String.self) })
            }
        }
        let everyone: Set = ["rep.sh", "rep2.sh", "mgr.sh", "rep.bj", "aud", "dir"]
        #expect(try seen(by: "aud") == everyone)
        #expect(try seen(by: "dir") == everyone)
        #expect(try seen(by: "mgr.sh") == ["rep.sh", "rep2.sh", "mgr.sh"])
        #expect(try seen(by: "rep.sh") == ["rep.sh"])
        #expect(try seen(by: "arc.sh") == [])
        #expect(try seen(by: "adm") == [])
    }
}
