import DossierPrivacy
import DossierStore
import Foundation
import LocalPostgres
import Postgres

/// The embedded default: a private PostgreSQL cluster under the data directory
/// (`./.dossier/` unless told otherwise), created on first run, migrated, with
/// a first administrator whose one-time password is printed once.
///
/// The cluster authenticates (`LocalCluster.Authentication.password`): the
/// superuser only by peer through the socket, everyone else by SCRAM-SHA-256.
/// The daemon's login has a random password kept in `<data-dir>/daemon.pgpass`
/// (mode 0600, read by libpq as its `passfile`). With `pgListen` the cluster
/// also listens on TCP, for BI tools.
struct EmbeddedDatabase {
    static let databaseName = "dossier"
    let cluster: LocalCluster
    /// libpq password file of the daemon's login.
    let daemonPassfile: String

    /// `pgListen`: TCP address and port for BI tools; nil keeps the cluster on its socket
    /// (port 5432 names the socket). A cluster that is already running keeps its own port.
    init(dataDirectory: String, pgListen: (host: String, port: Int)? = nil) {
        let pgdata = dataDirectory + "/pgdata"
        let port = LocalCluster.runningPort(dataDirectory: pgdata) ?? pgListen?.port ?? 5432
        cluster = LocalCluster(dataDirectory: pgdata, port: port, authentication: .password, listenAddress: pgListen?.host)
        daemonPassfile = dataDirectory + "/daemon.pgpass"
    }

    /// The superuser's connection (peer): migrations, logins.
    var adminConninfo: String { cluster.conninfo(user: "postgres", database: Self.databaseName) }
    /// The daemon's own login: no superuser, no BYPASSRLS; its password from the passfile.
    var daemonConninfo: String {
        cluster.conninfo(user: DatabaseLogins.daemonRole, database: Self.databaseName, passfile: daemonPassfile)
    }

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
        // Set at every start: the passfile is the truth, also after a restore or a trust-era cluster.
        try DatabaseLogins.enableDaemonLogin(admin, password: try daemonPassword())
    }

    /// The daemon's password from its passfile, made (random, mode 0600) on first use.
    private func daemonPassword() throws -> String {
        if let text = try? String(contentsOfFile: daemonPassfile, encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { !$0.hasPrefix("#") }),
           let password = line.split(separator: ":", omittingEmptySubsequences: false).last, !password.isEmpty
        {
            return String(password)
        }
        let password = OneTimePassword.generate() + OneTimePassword.generate()
        // hostname:port:database:username:password; the alphabet needs no escaping.
        let text = "# dossierd: the daemon's login to the embedded cluster (libpq passfile)\n"
            + "*:*:\(Self.databaseName):\(DatabaseLogins.daemonRole):\(password)\n"
        guard SecretFile.write(text, to: daemonPassfile) else { throw LocalPostgresError("cannot write \(daemonPassfile)") }
        return password
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
