import DossierStore
import Foundation
import LocalPostgres
import Postgres

/// The embedded default: a private PostgreSQL cluster under the data directory
/// (`./.dossier/` unless told otherwise), created on first run, migrated, with
/// a first administrator whose one-time password is printed once.
struct EmbeddedDatabase {
    static let databaseName = "dossier"
    let cluster: LocalCluster

    init(dataDirectory: String) {
        cluster = LocalCluster(dataDirectory: dataDirectory + "/pgdata")
    }

    /// The superuser's connection: migrations, logins.
    var adminConninfo: String { cluster.conninfo(user: "postgres", database: Self.databaseName) }
    /// The daemon's own login: no superuser, no BYPASSRLS.
    var daemonConninfo: String { cluster.conninfo(user: DatabaseLogins.daemonRole, database: Self.databaseName) }

    /// Starts the cluster (creating it on first run) and brings the schema up to date.
    func prepare(log: (String) -> Void) throws {
        if try cluster.initializeIfNeeded() {
            log("created a private PostgreSQL cluster in \(cluster.dataDirectory)")
        }
        try cluster.start()
        let postgres = try PostgresConnection(conninfo: cluster.conninfo(user: "postgres", database: "postgres"))
        defer { postgres.close() }
        let exists = try postgres.query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1::text) AS e", [Self.databaseName])
        if try exists.rows.first?.decode("e", as: Bool.self) != true {
            try postgres.execute(script: "CREATE DATABASE \(Self.databaseName) ENCODING 'UTF8' TEMPLATE template0")
        }
        let admin = try PostgresConnection(conninfo: adminConninfo)
        defer { admin.close() }
        let applied = try Migrator().migrate(admin)
        if !applied.isEmpty { log("applied migrations \(applied.map(String.init).joined(separator: ", "))") }
        try DatabaseLogins.enableDaemonLogin(admin, password: nil)
    }

    /// Creates the first administrator when the database has no users; returns the one-time password.
    func bootstrapIfEmpty(adminLogin: String = "admin") throws -> String? {
        let admin = try PostgresConnection(conninfo: adminConninfo)
        defer { admin.close() }
        let password = OneTimePassword.generate()
        switch try Bootstrap.run(admin, adminLogin: adminLogin, password: password) {
        case .created: return password
        case .alreadyDone: return nil
        }
    }

    func stop() throws {
        try cluster.stop()
    }
}

/// A readable random password for the first administrator.
enum OneTimePassword {
    static func generate() -> String {
        // No 0/O/1/l/I: it is read off a terminal and typed again.
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}
