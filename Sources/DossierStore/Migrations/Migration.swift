/// One numbered SQL file of `migrations/`, compiled into the binary.
public struct Migration: Sendable, Hashable {
    /// The number the file name starts with (`0003_records.sql` → 3).
    public let version: Int
    /// The file name, e.g. `0003_records.sql`.
    public let name: String
    /// The SQL text, applied in one transaction.
    public let sql: String

    public init(name: String, sql: String) throws(MigrationError) {
        guard name.hasSuffix(".sql"),
              let prefix = name.split(separator: "_", maxSplits: 1).first,
              prefix.count == 4, let version = Int(prefix), version > 0
        else { throw .badFileName(name) }
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// What can go wrong before or while migrating.
public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    case badFileName(String)
    case duplicateVersion(Int)
    /// An applied file whose text differs from the one this binary carries.
    case modified(version: Int, name: String)
    /// The database has migrations this binary does not know.
    case ahead(versions: [Int])

    public var description: String {
        switch self {
        case .badFileName(let name):
            "migration file \(name) must be named NNNN_description.sql"
        case .duplicateVersion(let version):
            "two migration files share version \(version)"
        case .modified(let version, let name):
            "migration \(version) (\(name)) was changed after it was applied; restore the original file and add a new migration instead"
        case .ahead(let versions):
            "the database has migrations this dossierd does not know (\(versions.map(String.init).joined(separator: ", "))); run a newer dossierd"
        }
    }
}
