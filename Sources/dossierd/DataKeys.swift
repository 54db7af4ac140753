import ArgumentParser
import DossierPrivacy
import DossierServer
import Foundation
import Postgres

/// `--data-key-file`: the master keys that wrap each customer's data key
/// (README "Personal data protection"). Given to every daemon and to the
/// commands that read or write customers' sensitive fields.
struct DataKeyOptions: ParsableArguments {
    @Option(name: .customLong("data-key-file"),
            help: "File of the data keys that encrypt customers' personal data (else $DOSSIER_DATA_KEY_FILE; the embedded default keeps data.keys in its data directory, made on first start).")
    var dataKeyFile: String?

    /// The given file, else the environment's, else (embedded default only)
    /// `<data-dir>/data.keys`, created on first use; nil with a database URL and none given.
    func resolve(_ database: DatabaseOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> DataKeyring? {
        do {
            if let path = path(database, environment: environment) {
                if case .embedded = database.resolve(environment: environment), dataKeyFile == nil,
                   environment["DOSSIER_DATA_KEY_FILE"]?.isEmpty != false {
                    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                            withIntermediateDirectories: true)
                    return try DataKeyring.loadOrCreate(file: path)
                }
                return try DataKeyring.load(file: path)
            }
            return nil
        } catch let failure as DataKeyring.Failure {
            throw ValidationError(failure.description)
        }
    }

    /// The key file's path, if there is one to use.
    func path(_ database: DatabaseOptions, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let dataKeyFile { return dataKeyFile }
        if let file = environment["DOSSIER_DATA_KEY_FILE"], !file.isEmpty { return file }
        if case .embedded(let directory) = database.resolve(environment: environment) { return directory + "/data.keys" }
        return nil
    }

    /// For commands that cannot work without it.
    func require(_ database: DatabaseOptions) throws -> DataKeyring {
        guard let keyring = try resolve(database) else {
            throw ValidationError("customers' personal data is encrypted: give --data-key-file (or DOSSIER_DATA_KEY_FILE)")
        }
        return keyring
    }
}

/// `dossierd keys …`: the data key file and the data it protects.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the data keys that encrypt customers' personal data.",
        discussion: """
            Rotation: `keys add` appends a new key (it becomes the current one); give the new file to every daemon and \
            restart them; then `keys rotate` re-wraps every customer's data key under it (online, in batches, \
            resumable: run it again after an interruption). Keep the old key lines until `keys status` shows no \
            customer uses them.
            """,
        subcommands: [KeysStatus.self, KeysAdd.self, KeysRotate.self, KeysEncryptExisting.self])
}

struct KeysStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the key file's keys, the current one, and how many customers each key wraps.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var keys: DataKeyOptions

    func run() throws {
        let keyring = try keys.require(database)
        let usage = try withDaemonConnection(database) { connection in
            try DataKeyMaintenance.verify(keyring, on: connection)
            return try DataKeyMaintenance.usage(on: connection)
        }
        for key in keyring.keys {
            let count = usage.first { $0.keyID == key.id }?.customers ?? 0
            print("\(key.id)\(key.id == keyring.current.id ? " (current)" : "")\tcustomers=\(count)")
        }
    }
}

struct KeysAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Append a new random key to the data key file; it becomes the current key.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var keys: DataKeyOptions

    func run() throws {
        guard let path = keys.path(database) else { throw ValidationError("give --data-key-file") }
        do {
            let key = try DataKeyring.appendNewKey(file: path)
            print("added key \(key.id) to \(path); give this file to every daemon, restart them, then run `dossierd keys rotate`")
        } catch let failure as DataKeyring.Failure {
            throw ValidationError(failure.description)
        }
    }
}

struct KeysRotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Re-wrap every customer's data key under the current key and recompute blind indexes (online, batched, resumable).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var keys: DataKeyOptions

    @Option(help: "Customers per transaction.")
    var batch = 200

    @Option(name: .customLong("max-batches"), help: "Stop after this many batches (run again to go on).")
    var maxBatches: Int?

    func validate() throws {
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch must be 1 to 10000") }
        if let maxBatches { guard maxBatches >= 1 else { throw ValidationError("--max-batches must be at least 1") } }
    }

    func run() throws {
        let keyring = try keys.require(database)
        let started = ContinuousClock.now
        let total = try withDaemonConnection(database) { connection in
            try DataKeyMaintenance.verify(keyring, on: connection)
            return try DataKeyMaintenance.rotate(PersonalData(keyring: keyring), batch: batch, maxBatches: maxBatches,
                                                 on: connection) { done in
                if done > 0 { print("rotated \(done) customers") }
            }
        }
        print("\(total) customers moved to key \(keyring.current.id) in \(started.duration(to: .now)); `keys status` shows what is left")
    }
}

struct KeysEncryptExisting: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt-existing",
        abstract: "Encrypt clear-text personal data left from before migration 0070 (serve and migrate do it too).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var keys: DataKeyOptions

    func run() throws {
        let keyring = try keys.require(database)
        let count = try withDaemonConnection(database) { connection in
            try DataKeyMaintenance.verify(keyring, on: connection)
            return try DataKeyMaintenance.encryptExisting(PersonalData(keyring: keyring), on: connection)
        }
        print("encrypted the personal data of \(count) customers")
    }
}
