/// How a database's applied migrations compare with the ones this binary carries.
public enum SchemaStatus: Sendable, Equatable {
    case current(version: Int)
    /// Migrations still to apply.
    case behind(applied: Int, pending: [Int])
    /// Applied migrations this binary does not know.
    case ahead(applied: Int, unknown: [Int])
    /// An applied migration whose text changed since.
    case modified(version: Int, name: String)
    /// Every migration is applied, but the database's policies are not this
    /// binary's `migrations/policies.sql`.
    case policiesOutdated(version: Int)

    /// Compares what the database recorded with the catalogue. Pure: the
    /// checksums are computed by the caller.
    public static func compare(applied: [AppliedMigration], known: [Migration], checksums: [Int: String]) -> SchemaStatus {
        let knownVersions = Set(known.map(\.version))
        let unknown = applied.map(\.version).filter { !knownVersions.contains($0) }.sorted()
        let latestApplied = applied.map(\.version).max() ?? 0
        if !unknown.isEmpty {
            return .ahead(applied: latestApplied, unknown: unknown)
        }
        for record in applied.sorted(by: { $0.version < $1.version }) {
            if let expected = checksums[record.version], expected != record.checksum {
                let name = known.first { $0.version == record.version }?.name ?? record.name
                return .modified(version: record.version, name: name)
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        let pending = known.map(\.version).filter { !appliedVersions.contains($0) }.sorted()
        if pending.isEmpty {
            return .current(version: latestApplied)
        }
        return .behind(applied: latestApplied, pending: pending)
    }

    /// What an operator should read when `dossierd serve` refuses to start.
    public var operatorMessage: String {
        switch self {
        case .current(let version):
            "schema is at version \(version)"
        case .behind(let applied, let pending):
            "the database schema is at version \(applied) but this dossierd needs \(pending.last ?? applied); run `dossierd migrate` first"
        case .ahead(let applied, let unknown):
            "the database schema is at version \(applied), newer than this dossierd knows (unknown: \(unknown.map(String.init).joined(separator: ", "))); run a newer dossierd"
        case .modified(let version, let name):
            "migration \(version) (\(name)) changed after it was applied; restore the original file"
        case .policiesOutdated(let version):
            "the schema is at version \(version) but its access policies are not this dossierd's migrations/policies.sql; run `dossierd migrate`"
        }
    }
}

/// A row of `dossier_meta.migrations`.
public struct AppliedMigration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let checksum: String

    public init(version: Int, name: String, checksum: String) {
        self.version = version
        self.name = name
        self.checksum = checksum
    }
}
