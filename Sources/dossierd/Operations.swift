import ArgumentParser
import DossierServer
import DossierStore
import Foundation
import Postgres

/// Opens the admin connection for an operations command; for the embedded
/// cluster, starts it first and stops it afterwards unless it was running.
func withAdminConnection<T>(_ database: DatabaseOptions, _ body: (PostgresConnection) throws -> T) throws -> T {
    switch database.resolve() {
    case .conninfo(let conninfo):
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        return try body(connection)
    case .embedded(let directory):
        let embedded = EmbeddedDatabase(dataDirectory: directory)
        let wasRunning = (try? embedded.cluster.isRunning()) ?? false
        try embedded.prepare { print($0) }
        defer { if !wasRunning { try? embedded.stop() } }
        let connection = try PostgresConnection(conninfo: embedded.adminConninfo)
        defer { connection.close() }
        return try body(connection)
    }
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending migrations (as a superuser or the schema owner).",
        discussion: """
            With a data key file (--data-key-file, DOSSIER_DATA_KEY_FILE, or the embedded default's), also encrypts \
            personal data left in clear text from before migration 0070; without one, `serve` does it at its start.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var keys: DataKeyOptions

    func run() throws {
        do {
            let keyring = try keys.resolve(database)
            let (applied, sealed) = try withAdminConnection(database) { connection -> ([Int], Int?) in
                let applied = try Migrator().migrate(connection)
                guard let keyring else { return (applied, nil) }
                try DataKeyMaintenance.verify(keyring, on: connection)
                return (applied, try DataKeyMaintenance.encryptExisting(PersonalData(keyring: keyring), on: connection))
            }
            print(applied.isEmpty
                  ? "schema is current (version \(MigrationCatalog.expectedVersion))"
                  : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
            if let sealed, sealed > 0 { print("encrypted the personal data of \(sealed) customers") }
            if sealed == nil { print("no data key file: `dossierd serve` encrypts clear-text personal data at its start") }
        } catch let error as MigrationError {
            throw ValidationError(error.description)
        } catch let refusal as DataKeyMaintenance.Refusal {
            throw ValidationError(refusal.description)
        }
    }
}

struct BootstrapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap", abstract: "Create the first department HQ and an administrator (only when there are no users).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Login of the first administrator.")
    var admin: String

    @Option(help: "Its password.")
    var password: String

    func run() throws {
        let outcome = try withAdminConnection(database) { try Bootstrap.run($0, adminLogin: admin, password: password) }
        switch outcome {
        case .created(let login): print("created department HQ and administrator \(login)")
        case .alreadyDone: print("users exist already; nothing changed")
        }
    }
}

struct BILogin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bi-login",
        abstract: "Create or update a PostgreSQL login for BI tools, scoped to one department or to the company.")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "PostgreSQL login name ([a-z_][a-z0-9_]*).")
    var name: String

    @Option(help: "Its password (for TCP connections).")
    var password: String?

    @Option(help: "Department code whose rows it may read.")
    var dept: String?

    @Flag(help: "Read every department (never the content of top_secret dossiers).")
    var company = false

    func validate() throws {
        guard (dept == nil) != !company else { throw ValidationError("give exactly one of --dept <code> and --company") }
    }

    func run() throws {
        try withAdminConnection(database) {
            try DatabaseLogins.createBILogin($0, name: name, password: password, departmentCode: company ? nil : dept)
        }
        print("BI login \(name) reads \(company ? "the whole company" : "department \(dept!)")")
    }
}
