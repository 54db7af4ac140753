import Postgres

/// A new migrated database loaded with `RecordsFixture`, and the two
/// connections the policy tests use: the superuser (to set up and to look
/// past row-level security) and the daemon's login (to be looked at).
public struct FixtureScene {
    public let database: MigratedDatabase
    public let admin: PostgresConnection
    public let daemon: PostgresConnection
    public let fixture: RecordsFixture

    public static func open() throws -> FixtureScene {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        do {
            let fixture = try RecordsFixture.load(into: admin)
            return FixtureScene(database: database, admin: admin, daemon: try database.daemon(), fixture: fixture)
        } catch {
            admin.close()
            throw error
        }
    }

    public func close() {
        daemon.close()
        admin.close()
    }
}
