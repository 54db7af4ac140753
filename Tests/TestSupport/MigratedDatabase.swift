import DossierStore
import Foundation
import LocalPostgres
import Postgres
import Synchronization

/// A fresh database with the whole schema, cloned from a template that is
/// migrated once per test process (cloning takes milliseconds; migrating, seconds).
public struct MigratedDatabase: Sendable {
    public let name: String
    public let cluster: LocalCluster

    /// A database made otherwise (a migration test's, migrated step by step).
    public init(name: String, cluster: LocalCluster) {
        self.name = name
        self.cluster = cluster
    }

    /// The superuser: bypasses row-level security; for setting up fixtures.
    public var adminConninfo: String { cluster.conninfo(user: "postgres", database: name) }
    /// The daemon's login role.
    public var daemonConninfo: String { cluster.conninfo(user: DatabaseLogins.daemonRole, database: name) }
    public func conninfo(user: String) -> String { cluster.conninfo(user: user, database: name) }

    /// A BI login of department SH and one of the whole company, named after
    /// this database (logins are per cluster), each connected; with `timeZone`,
    /// sessions that count days in it, as deploy/BI.md tells BI tools to.
    public func biLogins(
        createdBy admin: PostgresConnection, timeZone: String? = nil
    ) throws -> (department: PostgresConnection, company: PostgresConnection) {
        try DatabaseLogins.createBILogin(admin, name: "bi_sh_\(name)", password: nil, departmentCode: "SH")
        try DatabaseLogins.createBILogin(admin, name: "bi_all_\(name)", password: nil, departmentCode: nil)
        let department = try PostgresConnection(conninfo: conninfo(user: "bi_sh_\(name)"))
        let company = try PostgresConnection(conninfo: conninfo(user: "bi_all_\(name)"))
        if let timeZone {
            for connection in [department, company] { try connection.query("SELECT set_config('TimeZone', $1::text, false)", [timeZone]) }
        }
        return (department, company)
    }

    /// A superuser connection whose session counts days as the daemon does: in
    /// the company's time zone (`dossier.company_time_zone()`, as at connecting).
    public func admin() throws -> PostgresConnection {
        let connection = try PostgresConnection(conninfo: adminConninfo)
        try connection.query("SELECT set_config('TimeZone', dossier.company_time_zone(), false)")
        return connection
    }
    public func daemon() throws -> PostgresConnection { try PostgresConnection(conninfo: daemonConninfo) }

    private static let template = "dossier_template"
    private static let state = Mutex<(templateReady: Bool, counter: Int)>((false, 0))

    /// Creates a new migrated database with a unique name.
    public static func create() throws -> MigratedDatabase {
        let cluster = try TestPostgres.shared()
        // CREATE DATABASE … TEMPLATE needs the template to have no other
        // connections: clones are made one at a time.
        return try state.withLock { state in
            let postgres = try PostgresConnection(conninfo: cluster.conninfo(user: "postgres", database: "postgres"))
            defer { postgres.close() }
            if !state.templateReady {
                try postgres.execute(script: "DROP DATABASE IF EXISTS \(template)")
                try postgres.execute(script: "CREATE DATABASE \(template) TEMPLATE template0 ENCODING 'UTF8'")
                let migrating = try PostgresConnection(conninfo: cluster.conninfo(user: "postgres", database: template))
                try Migrator().migrate(migrating)
                try DatabaseLogins.enableDaemonLogin(migrating, password: nil)
                migrating.close()
                state.templateReady = true
            }
            state.counter += 1
            let name = "t\(getpid())_\(state.counter)"
            try postgres.execute(script: "CREATE DATABASE \(name) TEMPLATE \(template)")
            // Per-database settings are not copied with the template.
            try postgres.execute(script: "ALTER DATABASE \(name) SET search_path = dossier, public")
            return MigratedDatabase(name: name, cluster: cluster)
        }
    }

    /// A new migrated database on a cluster of the test's own (a scratch
    /// cluster that the test may restart, stop or reconfigure).
    public static func create(on cluster: LocalCluster) throws -> MigratedDatabase {
        let name = try state.withLock { state in
            state.counter += 1
            return "s\(getpid())_\(state.counter)"
        }
        let postgres = try PostgresConnection(conninfo: cluster.conninfo(user: "postgres", database: "postgres"))
        defer { postgres.close() }
        try postgres.execute(script: "CREATE DATABASE \(name) TEMPLATE template0 ENCODING 'UTF8'")
        try postgres.execute(script: "ALTER DATABASE \(name) SET search_path = dossier, public")
        let migrating = try PostgresConnection(conninfo: cluster.conninfo(user: "postgres", database: name))
        defer { migrating.close() }
        try Migrator().migrate(migrating)
        try DatabaseLogins.enableDaemonLogin(migrating, password: nil)
        return MigratedDatabase(name: name, cluster: cluster)
    }

    /// A new empty database (no schema), for migration tests.
    public static func createEmpty() throws -> (name: String, conninfo: String) {
        let cluster = try TestPostgres.shared()
        let name = try state.withLock { state in
            state.counter += 1
            return "e\(getpid())_\(state.counter)"
        }
        let postgres = try PostgresConnection(conninfo: cluster.conninfo(user: "postgres", database: "postgres"))
        defer { postgres.close() }
        try postgres.execute(script: "CREATE DATABASE \(name) TEMPLATE template0 ENCODING 'UTF8'")
        return (name, cluster.conninfo(user: "postgres", database: name))
    }
}
