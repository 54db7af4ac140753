import DossierStore
import Postgres
import Testing
import TestSupport

@Suite struct BootstrapTests {
    @Test func createsHQAndAnAdministratorOnce() throws {
        let database = try MigratedDatabase.create()
        let daemon = try database.daemon()
        defer { daemon.close() }
        // The daemon's own login is enough: bootstrap runs as the system actor.
        #expect(try Bootstrap.run(daemon, adminLogin: "root.admin", password: "first-pw") == .created(login: "root.admin"))
        #expect(try Bootstrap.run(daemon, adminLogin: "other", password: "x") == .alreadyDone)
        let row = try daemon.transaction { connection in
            try connection.query("SELECT ok, role, dept_code FROM dossier.authenticate('root.admin', 'first-pw')").rows[0]
        }
        #expect(try row.decode("ok", as: Bool.self))
        #expect(try row.decode("role", as: String.self) == "admin")
        #expect(try row.decode("dept_code", as: String.self) == "HQ")
        let audit = try database.admin().query("SELECT action, target FROM dossier.audit_log").rows
        #expect(try audit.map { try $0.decode("action", as: String.self) } == ["user.bootstrap"])
    }
}
