import DossierStore
import Foundation
import Postgres
import Testing
import TestSupport

/// `migrations/policies.sql` is the one place the access rules are read
/// (issue 10, point 3): re-applied idempotently by `migrate`, checked by the
/// daemon's start-up, and no helper left that disagrees with a policy.
@Suite struct PolicyFileTests {
    @Test func reappliedWhenChangedAndCheckedAtStartUp() throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        #expect(try Migrator().status(admin) == .current(version: MigrationCatalog.expectedVersion))
        let changed = Migrator(policies: MigrationCatalog.policies + "\n-- changed\n")
        #expect(try changed.status(admin) == .policiesOutdated(version: MigrationCatalog.expectedVersion))
        #expect(try changed.migrate(admin) == [])
        #expect(try changed.status(admin) == .current(version: MigrationCatalog.expectedVersion))
        #expect(try Migrator().status(admin) == .policiesOutdated(version: MigrationCatalog.expectedVersion))
        #expect(SchemaStatus.policiesOutdated(version: 1).operatorMessage.contains("dossierd migrate"))
        // The daemon's own login can tell (start-up check).
        let daemon = try database.daemon()
        defer { daemon.close() }
        #expect(try Migrator().status(daemon) == .policiesOutdated(version: MigrationCatalog.expectedVersion))
        try Migrator().migrate(admin)
        #expect(try Migrator().status(daemon) == .current(version: MigrationCatalog.expectedVersion))
        // Applying the file again changes nothing and fails nothing.
        let before = try policies(admin)
        try admin.transaction { try $0.execute(script: MigrationCatalog.policies) }
        #expect(try policies(admin) == before)
    }

    func policies(_ connection: PostgresConnection) throws -> [String] {
        try connection.query("""
            SELECT tablename || '.' || policyname || ':' || cmd || ':' || coalesce(qual, '') || ':' || coalesce(with_check, '')
              FROM pg_policies WHERE schemaname = 'dossier' ORDER BY 1
            """).rows.map { try $0.decode(0, as: String.self) }
    }

    /// Every policy of the product's tables is one the file creates, and the
    /// drifted helpers of 0007 are gone.
    @Test func everyPolicyIsInTheFile() throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        let file = MigrationCatalog.policies
        let managed = try #require(file.firstMatch(of: /FOREACH t IN ARRAY ARRAY\[([^\]]*)\]/)?.1)
        let tables = Set(managed.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " '\n")) })
        #expect(tables.count >= 30)
        for row in try admin.query("SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'dossier'").rows {
            let table = try row.decode("tablename", as: String.self)
            let policy = try row.decode("policyname", as: String.self)
            guard tables.contains(table) else { continue }  // a table of a later issue, with its own migration
            #expect(policy == "\(table)_owner" || file.contains("CREATE POLICY \(policy) ON \(table) "), "\(table).\(policy)")
        }
        for stale in ["sees_dossier_register", "sees_customer_directory", "sees_customer_details", "sees_department_record",
                      "holds_grant_or_loan"] {
            let exists = try admin.query("SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = $1::text) AS e", [stale])
                .rows[0].decode("e", as: Bool.self)
            #expect(!exists, "\(stale) still exists")
        }
    }

    /// The one helper kept (RETENTION DUE asks it per row) says exactly what
    /// the content policy says, for every fixture user and dossier.
    @Test func contentHelperAgreesWithThePolicy() throws {
        let scene = try FixtureScene.open()
        defer { scene.close() }
        let (daemon, fixture) = (scene.daemon, scene.fixture)
        for user in fixture.users {
            let (policy, helper) = try daemon.asUser(user.id) { connection in
                (try connection.ids("SELECT dossier_id FROM dossier.dossier_contents"),
                 try connection.ids("""
                    SELECT d.id FROM dossier.dossiers d
                     WHERE dossier.sees_dossier_content(d.id, d.dept_id, d.level, d.status, d.owner_id)
                    """))
            }
            #expect(policy == helper, "\(user.login)")
        }
    }
}
