import DossierStore
import Postgres
import Testing
import TestSupport

/// What BI logins read of `top_secret` dossiers (issue 10): their register
/// entries within scope, never their content — not through the approvals
/// about them (an edit's new title in `payload`, the `reason`), not through
/// `dossier_retention.customer_id`, not through audit rows.
@Suite struct BILeakTests {
    @Test func topSecretContentStaysHiddenFromBILogins() throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        let fixture = try RecordsFixture.load(into: admin)
        // An edit request and a retention date for every dossier; audit rows
        // about each, written by the daemon as the owner.
        try admin.query("""
            INSERT INTO dossier.approvals (kind, dept_id, requester_id, dossier_id, payload, reason, step_count)
            SELECT 'edit', d.dept_id, d.owner_id, d.id, '{"title":"新标题"}', '原因', 1 FROM dossier.dossiers d
            """)
        try admin.query("""
            INSERT INTO dossier.dossier_retention (dossier_id, category, customer_id, filed_on, retain_until)
            SELECT d.id, d.category, c.customer_id, current_date, current_date + 1
              FROM dossier.dossiers d JOIN dossier.dossier_contents c ON c.dossier_id = d.id
            """)
        let daemon = try database.daemon()
        defer { daemon.close() }
        for dossier in fixture.dossiers {
            try daemon.asUser(fixture.user(dossier.owner).id) {
                try $0.query("SELECT dossier.audit('dossier.new', $1::text, '', 'C-2026-00001')", ["D\(dossier.id)"])
            }
        }
        let suffix = database.name
        try DatabaseLogins.createBILogin(admin, name: "bi_sh_\(suffix)", password: nil, departmentCode: "SH")
        try DatabaseLogins.createBILogin(admin, name: "bi_all_\(suffix)", password: nil, departmentCode: nil)

        for (login, dept) in [("bi_sh_\(suffix)", Optional("SH")), ("bi_all_\(suffix)", nil)] {
            let bi = try PostgresConnection(conninfo: database.conninfo(user: login))
            defer { bi.close() }
            let inScope = fixture.dossiers.filter { dept == nil || $0.dept == dept }
            let readable = Set(inScope.filter { $0.level != "top_secret" }.map(\.id))
            // The register still shows the top_secret entries in scope.
            #expect(try bi.ids("SELECT id FROM dossiers") == Set(inScope.map(\.id)))
            #expect(try bi.ids("SELECT dossier_id FROM approvals") == readable, "\(login): approvals")
            #expect(try bi.ids("SELECT a.dossier_id FROM approval_steps s JOIN approvals a ON a.id = s.approval_id").isSubset(of: readable))
            #expect(try bi.ids("SELECT dossier_id FROM dossier_retention") == readable, "\(login): retention")
            let about = Set(try bi.query("SELECT target FROM audit_log WHERE action = 'dossier.new'").rows
                .map { try $0.decode(0, as: String.self) })
            #expect(about == Set(readable.map { "D\($0)" }), "\(login): audit rows")
            // Asked directly, the helper answers nothing beyond the login's own scope.
            for dossier in fixture.dossiers {
                let hidden = try bi.query("SELECT dossier.audit_subject_hidden($1::int8)", [dossier.id]).rows[0].decode(0, as: Bool.self)
                #expect(hidden == !readable.contains(dossier.id))
            }
        }
    }

    /// A BI login's sessions count days and show times in the company's time
    /// zone without setting it (report.followups' status uses the session's
    /// day); `bi-login` again follows a changed zone.
    @Test func biLoginsStartInTheCompanysTimeZone() throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        let login = "bi_tz_\(database.name)"
        func zone() throws -> String {
            let bi = try PostgresConnection(conninfo: database.conninfo(user: login))
            defer { bi.close() }
            return try bi.query("SELECT current_setting('TimeZone')").rows[0].decode(0, as: String.self)
        }
        try DatabaseLogins.createBILogin(admin, name: login, password: nil, departmentCode: nil)
        #expect(try zone() == "Asia/Shanghai")
        try admin.query("UPDATE dossier.company_settings SET time_zone = 'Asia/Urumqi'")
        try DatabaseLogins.createBILogin(admin, name: login, password: nil, departmentCode: nil)
        #expect(try zone() == "Asia/Urumqi")
    }

    /// `dossierd bi-login` never turns the product's own roles or an existing
    /// superuser into a BI login.
    @Test func biLoginRefusesProductRolesAndSuperusers() throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        let superuser = "su_\(database.name)"
        try admin.execute(script: "CREATE ROLE \(superuser) LOGIN SUPERUSER")
        for name in ["dossier_owner", "dossier_app", "dossier_bi", "postgres", superuser] {
            #expect(throws: DatabaseLogins.Failure.reservedRole(name)) {
                try DatabaseLogins.createBILogin(admin, name: name, password: nil, departmentCode: nil)
            }
        }
        let owner = try admin.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'dossier_owner'").rows[0].decode(0, as: Bool.self)
        #expect(owner == false)
        let mapped = try admin.query("SELECT count(*)::int8 FROM dossier.bi_logins").rows[0].decode(0, as: Int.self)
        #expect(mapped == 0)
    }
}
