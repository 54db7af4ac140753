import DossierStore
import Postgres
import Testing
import TestSupport

/// The visibility table of RULES.md, checked at SQL level: as the daemon's role
/// with each user's settings, and as BI logins that never touch the daemon.
@Suite struct RowSecurityTests {
    static func expectsRegister(_ user: RecordsFixture.User, _ dossier: RecordsFixture.Dossier) -> Bool {
        VisibilityOracle.register(user, dossier)
    }

    static func expectsContent(_ user: RecordsFixture.User, _ dossier: RecordsFixture.Dossier, _ fixture: RecordsFixture) -> Bool {
        VisibilityOracle.content(user, dossier, fixture)
    }

    @Test func everyRoleSeesWhatRulesSay() throws {
        let scene = try FixtureScene.open()
        defer { scene.close() }
        let (daemon, fixture) = (scene.daemon, scene.fixture)
        // Every level and scope occurs.
        #expect(Set(fixture.dossiers.map(\.level)).count == 4)
        #expect(Set(fixture.dossiers.map(\.scope)).count == 3)

        for user in fixture.users {
            let (register, content, items) = try daemon.asUser(user.id) { connection in
                (try connection.ids("SELECT id FROM dossiers"),
                 try connection.ids("SELECT dossier_id FROM dossier_contents"),
                 try connection.ids("SELECT dossier_id FROM items"))
            }
            let expectedRegister = Set(fixture.dossiers.filter { Self.expectsRegister(user, $0) }.map(\.id))
            let expectedContent = Set(fixture.dossiers.filter { Self.expectsContent(user, $0, fixture) }.map(\.id))
            #expect(register == expectedRegister, "register seen by \(user.login)")
            #expect(content == expectedContent, "content seen by \(user.login)")
            #expect(items == expectedContent, "items seen by \(user.login)")
        }
    }

    /// Retention dates are seen with the register card they belong to.
    @Test func retentionDatesFollowTheRegister() throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        let fixture = try RecordsFixture.load(into: admin)
        try admin.query("""
            INSERT INTO dossier.dossier_retention (dossier_id, category, customer_id, filed_on, retain_until)
            SELECT d.id, d.category, c.customer_id, current_date, current_date + 1
              FROM dossier.dossiers d JOIN dossier.dossier_contents c ON c.dossier_id = d.id
            """)
        let dated = try admin.ids("SELECT dossier_id FROM dossier.dossier_retention")
        #expect(!dated.isEmpty)
        let daemon = try database.daemon()
        defer { daemon.close() }
        for user in fixture.users {
            let seen = try daemon.asUser(user.id) { try $0.ids("SELECT dossier_id FROM dossier_retention") }
            let expected = Set(fixture.dossiers.filter { Self.expectsRegister(user, $0) }.map(\.id)).intersection(dated)
            #expect(seen == expected, "retention dates seen by \(user.login)")
        }
    }

    @Test func registerShowsTitleAndCustomerOnlyForInternal() throws {
        let scene = try FixtureScene.open()
        defer { scene.close() }
        let (daemon, fixture) = (scene.daemon, scene.fixture)
        let rows = try daemon.asUser(fixture.user("rep.bj").id) { connection in
            try connection.query("SELECT level, register_title, register_customer_id FROM dossiers WHERE status = 'filed'").rows
        }
        #expect(!rows.isEmpty)
        for row in rows {
            let level = try row.decode("level", as: String.self)
            #expect((row["register_title"] != nil) == (level == "internal"))
            #expect((row["register_customer_id"] != nil) == (level == "internal"))
        }
    }

    @Test func customerDirectoryIsCompanyWideDetailsFollowContent() throws {
        let scene = try FixtureScene.open()
        defer { scene.close() }
        let (daemon, fixture) = (scene.daemon, scene.fixture)
        func counts(_ login: String) throws -> (Int, Int) {
            try daemon.asUser(fixture.user(login).id) { connection in
                (try connection.ids("SELECT id FROM customers").count, try connection.ids("SELECT customer_id FROM customer_details").count)
            }
        }
        #expect(try counts("rep.sh") == (2, 1))   // only its own customer's details
        #expect(try counts("mgr.bj") == (2, 1))
        #expect(try counts("arc.sh") == (2, 1))
        #expect(try counts("aud") == (2, 0))
        #expect(try counts("adm") == (0, 0))
        #expect(try counts("dir") == (2, 2))
        #expect(try counts("rep2.sh") == (2, 1))  // through the grant and the loan on BJ dossiers
    }

    @Test func missingSettingsShowNothing() throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        _ = try RecordsFixture.load(into: admin)
        let daemon = try database.daemon()
        defer { daemon.close() }
        for table in ["users", "customers", "customer_details", "dossiers", "dossier_contents", "items", "loans",
                      "access_grants", "approvals", "penalties", "audit_log", "departments", "calendar_days"] {
            let count = try daemon.query("SELECT count(*)::int8 FROM \(table)").rows[0].decode(0, as: Int.self)
            #expect(count == 0, "\(table) without settings")
        }
        // Settings written by hand at session level are honoured only as
        // written by begin_command: a forged role without a user sees no owned rows.
        try daemon.transaction { connection in
            try connection.query("SELECT set_config('dossier.role', 'rep', true)")
            #expect(try connection.ids("SELECT dossier_id FROM dossier_contents").isEmpty)
        }
    }

    @Test func biLoginsSeeTheirScope() throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        let fixture = try RecordsFixture.load(into: admin)
        let suffix = database.name
        try DatabaseLogins.createBILogin(admin, name: "bi_sh_\(suffix)", password: nil, departmentCode: "SH")
        try DatabaseLogins.createBILogin(admin, name: "bi_all_\(suffix)", password: nil, departmentCode: nil)
        try admin.execute(script: "CREATE ROLE nobody_\(suffix) LOGIN IN ROLE dossier_bi")

        let sh = try PostgresConnection(conninfo: database.conninfo(user: "bi_sh_\(suffix)"))
        defer { sh.close() }
        let shDossiers = Set(fixture.dossiers.filter { $0.dept == "SH" }.map(\.id))
        #expect(try sh.ids("SELECT id FROM dossiers") == shDossiers)
        #expect(try sh.ids("SELECT dossier_id FROM dossier_contents")
                == Set(fixture.dossiers.filter { $0.dept == "SH" && $0.level != "top_secret" }.map(\.id)))
        #expect(try sh.ids("SELECT id FROM users") == Set(fixture.users.filter { $0.dept == "SH" }.map(\.id)))

        let all = try PostgresConnection(conninfo: database.conninfo(user: "bi_all_\(suffix)"))
        defer { all.close() }
        #expect(try all.ids("SELECT id FROM dossiers") == Set(fixture.dossiers.map(\.id)))
        #expect(try all.ids("SELECT dossier_id FROM dossier_contents")
                == Set(fixture.dossiers.filter { $0.level != "top_secret" }.map(\.id)))

        // A BI login cannot borrow the daemon's settings to see more.
        try sh.transaction { connection in
            try connection.query("SELECT set_config('dossier.role', 'director', true), set_config('dossier.user_id', $1::text, true)",
                                 [String(fixture.user("dir").id)])
            #expect(try connection.ids("SELECT id FROM dossiers") == shDossiers)
        }
        // A member of dossier_bi without a mapping sees nothing.
        let nobody = try PostgresConnection(conninfo: database.conninfo(user: "nobody_\(suffix)"))
        defer { nobody.close() }
        #expect(try nobody.ids("SELECT id FROM dossiers").isEmpty)
        #expect(try nobody.ids("SELECT id FROM customers").isEmpty)
    }

    /// The actor functions fold at planning (`session_kind`, issue 17): the
    /// daemon's plans read its settings without a membership test per use, and
    /// a BI login's plans never read those settings at all, even in a prepared
    /// statement planned after the login set them.
    /// The command table's roles for a verb are checked inside the
    /// transaction (0142): a refused role stops the statements pipelined
    /// after begin_command, so nothing of them commits.
    @Test func beginCommandRefusesARoleTheVerbIsNotFor() throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        let fixture = try RecordsFixture.load(into: admin)
        let daemon = try database.daemon()
        defer { daemon.close() }
        func auditRows() throws -> Int {
            try admin.query("SELECT count(*)::int4 AS n FROM dossier.audit_log WHERE action = 'test.verb'")
                .firstRow().decode("n", as: Int.self)
        }
        let audit = PipelinedStatement("SELECT dossier.audit('test.verb', 'X', '', '') AS id", [])
        let begin = "SELECT * FROM dossier.begin_command($1::int8, $2::text[])"
        let error = #expect(throws: PostgresError.self) {
            try daemon.committedTransaction([PipelinedStatement(begin, [fixture.user("rep.sh").id, "{director,manager}"]), audit])
        }
        #expect(error?.sqlState == "DA001")
        #expect(error?.detail == "rep")
        #expect(try auditRows() == 0)
        let answers = try daemon.committedTransaction([PipelinedStatement(begin, [fixture.user("mgr.sh").id, "{director,manager}"]), audit])
        #expect(try answers[0].firstRow().decode("role", as: String.self) == "manager")
        #expect(try auditRows() == 1)
        // NULL: no verb check (the one-argument form).
        _ = try daemon.committedTransaction([PipelinedStatement("SELECT * FROM dossier.begin_command($1::int8)", [fixture.user("rep.sh").id]), audit])
        #expect(try auditRows() == 2)
    }

    @Test func plansKnowWhichKindOfSessionTheyServe() throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        let fixture = try RecordsFixture.load(into: admin)
        let query = "EXPLAIN (COSTS OFF) SELECT id FROM dossier.dossiers WHERE id = 1"
        func plan(_ connection: PostgresConnection) throws -> String {
            try connection.query(query).rows.map { try $0.decode(0, as: String.self) }.joined(separator: "\n")
        }
        let daemon = try database.daemon()
        defer { daemon.close() }
        let daemonPlan = try daemon.transaction { connection in
            try connection.query("SELECT * FROM dossier.begin_command($1::int8)", [fixture.user("dir").id])
            return try plan(connection)
        }
        #expect(daemonPlan.contains("current_setting('dossier.role'"))
        #expect(!daemonPlan.contains("pg_has_role") && !daemonPlan.contains("bi_login"), "\(daemonPlan)")

        try DatabaseLogins.createBILogin(admin, name: "bi_plan_\(database.name)", password: nil, departmentCode: "SH")
        let bi = try PostgresConnection(conninfo: database.conninfo(user: "bi_plan_\(database.name)"))
        defer { bi.close() }
        let shDossiers = Set(fixture.dossiers.filter { $0.dept == "SH" }.map(\.id))
        try bi.transaction { connection in
            try connection.query("SELECT set_config('dossier.role', 'director', true), set_config('dossier.dept_id', '', true)")
            let biPlan = try plan(connection)
            #expect(!biPlan.contains("current_setting") && biPlan.contains("bi_login"), "\(biPlan)")
            #expect(try connection.ids("SELECT id FROM dossier.dossiers") == shDossiers)
            #expect(try connection.ids("SELECT id FROM dossier.dossiers") == shDossiers)  // prepared, planned again
        }
    }

    @Test func passwordHashesAreNeverReadable() throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        let fixture = try RecordsFixture.load(into: admin)
        try DatabaseLogins.createBILogin(admin, name: "bi_pw_\(database.name)", password: nil, departmentCode: nil)
        let bi = try PostgresConnection(conninfo: database.conninfo(user: "bi_pw_\(database.name)"))
        defer { bi.close() }
        let daemon = try database.daemon()
        defer { daemon.close() }
        for connection in [bi, daemon] {
            do {
                try connection.query("SELECT password_hash FROM dossier.users")
                Issue.record("password_hash was readable")
            } catch let error as PostgresError {
                #expect(error.sqlState == "42501")
            }
        }
        // The daemon checks passwords inside the database.
        try daemon.transaction { connection in
            let good = try connection.query("SELECT ok FROM dossier.authenticate('rep.sh', 'secret')").rows[0]
            #expect(try good.decode("ok", as: Bool.self))
            let bad = try connection.query("SELECT ok FROM dossier.authenticate('rep.sh', 'wrong')").rows[0]
            #expect(try bad.decode("ok", as: Bool.self) == false)
        }
        _ = fixture
    }

    @Test func daemonCannotRewriteHistoryOrLoosenSecurity() throws {
        let scene = try FixtureScene.open()
        defer { scene.close() }
        let (daemon, fixture) = (scene.daemon, scene.fixture)
        let director = fixture.user("dir").id
        try daemon.asUser(director) { connection in
            try connection.query("SELECT dossier.audit('dossier.show', 'D1', 'check')")
        }
        let refused: [String] = [
            "UPDATE dossier.audit_log SET purpose = 'x'",
            "DELETE FROM dossier.audit_log",
            "TRUNCATE dossier.audit_log",
            "INSERT INTO dossier.audit_log (login, role, action, prev_hash, hash) VALUES ('x', 'x', 'x', '', '')",
            "ALTER TABLE dossier.dossiers DISABLE ROW LEVEL SECURITY",
            "ALTER TABLE dossier.dossiers NO FORCE ROW LEVEL SECURITY",
            "DROP POLICY dossiers_read ON dossier.dossiers",
            "UPDATE dossier.destructions SET reason = 'x'",
            "DELETE FROM dossier.change_history",
            "UPDATE dossier.audit_chains SET last_hash = ''",
            "SELECT * FROM dossier.audit_chains",
            "DELETE FROM dossier.audit_chains",
            // Retention dates change only through the functions of migrations/0012.
            "UPDATE dossier.dossier_retention SET retain_until = NULL",
            "DELETE FROM dossier.dossier_retention",
        ]
        for statement in refused {
            do {
                try daemon.asUser(director) { try $0.query(statement) }
                Issue.record("the daemon's role could run: \(statement)")
            } catch let error as PostgresError {
                #expect(error.sqlState == "42501", "\(statement): \(error)")
            }
        }
        let role = try daemon.query("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").rows[0]
        #expect(try role.decode("rolsuper", as: Bool.self) == false)
        #expect(try role.decode("rolbypassrls", as: Bool.self) == false)
        let owned = try daemon.query("SELECT count(*)::int8 FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)")
        #expect(try owned.rows[0].decode(0, as: Int.self) == 0)
    }

    @Test func everyDepartmentTableForcesRowLevelSecurity() throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        let unprotected = try admin.query("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'dossier' AND c.relkind = 'r' AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
            """).rows.map { try $0.decode(0, as: String.self) }
        // auth_failures holds no department data and is reached only through authenticate().
        #expect(unprotected == ["auth_failures"])
    }

    @Test func constraintsHoldWhoeverWrites() throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        let fixture = try RecordsFixture.load(into: admin)
        func sqlState(_ statement: String, _ params: [(any PostgresEncodable)?] = []) -> String? {
            do { try admin.query(statement, params); return nil } catch let error as PostgresError { return error.sqlState } catch { return "?" }
        }
        // One active loan per dossier: the fixture's loan is out.
        #expect(sqlState("""
            INSERT INTO dossier.loans (dossier_id, dept_id, borrower_id, purpose, mode, requested_duration)
            SELECT id, dept_id, owner_id, 'x', 'takeout', interval '1 day' FROM dossier.dossiers WHERE id = $1::int8
            """, [fixture.lentToRep2]) == "23505")
        // Archive numbers are unique.
        #expect(sqlState("UPDATE dossier.dossiers SET number = (SELECT number FROM dossier.dossiers WHERE number IS NOT NULL LIMIT 1), filed_seq = 999 WHERE status = 'draft' AND id = (SELECT min(id) FROM dossier.dossiers WHERE status = 'draft')") == "23505")
        // Money is never negative; enums are checked.
        #expect(sqlState("UPDATE dossier.penalty_rules SET amount_fen = -1, min_fen = -1") == "23514")
        #expect(sqlState("UPDATE dossier.dossiers SET level = 'public'") == "23514")
        #expect(sqlState("UPDATE dossier.users SET role = 'king'") == "23514")
        // Nobody approves their own request.
        #expect(sqlState("""
            WITH a AS (INSERT INTO dossier.approvals (kind, dept_id, requester_id, step_count) VALUES ('file', 1, $1::int8, 1) RETURNING id)
            INSERT INTO dossier.approval_steps (approval_id, step_no, approver_role, requester_id, decision, decided_by, decided_at)
            SELECT id, 1, 'manager', $1::int8, 'approved', $1::int8, now() FROM a
            """, [fixture.user("mgr.sh").id]) == "23514")
        // A held dossier cannot be deleted or destroyed.
        let filed = fixture.dossiers.first { $0.status == "filed" && $0.level == "internal" }!.id
        try admin.query("""
            INSERT INTO dossier.legal_holds (dossier_id, dept_id, reason, placed_by)
            SELECT id, dept_id, '诉讼', $2::int8 FROM dossier.dossiers WHERE id = $1::int8
            """, [filed, fixture.user("mgr.sh").id])
        #expect(sqlState("UPDATE dossier.dossiers SET status = 'destroyed', destroyed_at = now() WHERE id = $1::int8", [filed]) == "23514")
    }

    @Test func auditChainDetectsASuperusersEdit() throws {
        let scene = try FixtureScene.open()
        defer { scene.close() }
        let (admin, daemon, fixture) = (scene.admin, scene.daemon, scene.fixture)
        for purpose in ["a", "b", "c"] {
            try daemon.asUser(fixture.user("dir").id) { try $0.query("SELECT dossier.audit('dossier.show', 'D1', $1::text)", [purpose]) }
        }
        let clean = try daemon.query("SELECT verified, broken_at FROM dossier.audit_verify()").rows[0]
        #expect(try clean.decode("verified", as: Int.self) == 3)
        #expect(clean["broken_at"] == nil)
        // Behind the product's back: even a superuser must first disable the trigger.
        try admin.execute(script: """
            ALTER TABLE dossier.audit_log DISABLE TRIGGER audit_log_append_only;
            UPDATE dossier.audit_log SET purpose = 'forged' WHERE id = (SELECT min(id) + 1 FROM dossier.audit_log);
            ALTER TABLE dossier.audit_log ENABLE TRIGGER audit_log_append_only;
            """)
        let broken = try daemon.query("SELECT verified, broken_at FROM dossier.audit_verify()").rows[0]
        let minID = try admin.query("SELECT min(id) + 1 FROM dossier.audit_log").rows[0].decode(0, as: Int64.self)
        #expect(try broken.decode("broken_at", as: Int64.self) == minID)
    }
}
