import Foundation

/// `manifest.json` of a backup directory: what was backed up and how to check
/// it. Written last, so a backup without one is incomplete.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// Identifies the layout; restore refuses one it does not know.
    public static let currentFormat = "dossierd-backup/1"
    public static let fileName = "manifest.json"
    /// The `pg_dump --format=directory` output, relative to the backup directory.
    public static let dumpDirectory = "dump"

    public var format: String
    /// When the dump's snapshot was taken (its transaction's start).
    public var createdAt: Date
    /// How it was made, e.g. `pg_dump --format=directory --jobs=2`.
    public var method: String
    public var database: String
    public var serverVersion: String
    /// What the database held at the snapshot: schema version, rows per table, audit chain heads.
    public var inventory: DatabaseInventory
    /// Roles the database's objects and grants name (cluster-wide, so not in the dump).
    public var roles: [RoleRecord]
    /// Every file of the dump with its size and SHA-256.
    public var files: [FileRecord]

    public struct FileRecord: Codable, Sendable, Equatable {
        /// Relative to the backup directory, `/`-separated.
        public var path: String
        public var bytes: Int64
        public var sha256: String
    }

    /// A role as `restore` recreates it when missing.
    public struct RoleRecord: Codable, Sendable, Equatable {
        public var name: String
        public var login: Bool
        /// The stored password verifier (SCRAM or md5), when the backup ran as a superuser.
        public var password: String?
        /// Group roles it is a member of (among the dossier roles).
        public var memberOf: [String]
        /// Role-wide settings (`ALTER ROLE … SET`), `name=value`.
        public var settings: [String]
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    public func encoded() throws -> Data { try Self.encoder.encode(self) }

    /// Reads `<directory>/manifest.json`.
    public static func read(directory: String) throws -> BackupManifest {
        let path = directory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else {
            throw BackupError("\(directory) is not a complete backup: it has no \(fileName) (a backup writes it last)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw BackupError("cannot read \(path)") }
        let manifest: BackupManifest
        do {
            manifest = try decoder.decode(BackupManifest.self, from: data)
        } catch {
            throw BackupError("\(path) is damaged: \(error)")
        }
        guard manifest.format == currentFormat else {
            throw BackupError("\(path) has format \(manifest.format); this dossierd reads \(currentFormat)")
        }
        return manifest
    }
}
