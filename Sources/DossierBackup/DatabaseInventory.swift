import Postgres

/// What a dossier database holds, as a backup records it and a restore checks
/// it: the schema version, the rows of every table and the head of every
/// audit chain. Read as a superuser (row-level security would hide rows).
public struct DatabaseInventory: Codable, Sendable, Equatable {
    public var schemaVersion: Int
    /// Every table of the `dossier` and `dossier_meta` schemas, by qualified name.
    public var tables: [TableCount]
    public var auditChains: [ChainHead]

    public struct TableCount: Codable, Sendable, Equatable {
        public var table: String
        public var rows: Int64
    }

    /// Where one audit hash chain ends: a restore that lost or changed a row
    /// at the end of a chain shows here (and in `audit_verify()`).
    public struct ChainHead: Codable, Sendable, Equatable {
        public var chain: Int
        public var lastPosition: Int64
        /// `lastId`, not `lastID`: the manifest's snake_case key `last_id` decodes back only to this spelling.
        public var lastId: Int64?
        public var lastHash: String
    }

    /// Rows in `dossier.audit_log`.
    public var auditRows: Int64 { tables.first { $0.table == "dossier.audit_log" }?.rows ?? 0 }
    public var totalRows: Int64 { tables.reduce(0) { $0 + $1.rows } }

    /// Reads the inventory in the connection's current transaction (a backup
    /// reads it in the snapshot it dumps).
    public static func read(_ connection: PostgresConnection) throws -> DatabaseInventory {
        let version = try connection.query("SELECT coalesce(max(version), 0) AS v FROM dossier_meta.migrations").rows[0]
        // One statement: each table's count through query_to_xml, names quoted by format(%I).
        let tables = try connection.query("""
            SELECT n.nspname || '.' || c.relname AS name,
                   (xpath('/row/n/text()',
                          query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')
                   ))[1]::text::int8 AS rows
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname IN ('dossier', 'dossier_meta') AND c.relkind IN ('r', 'p') AND NOT c.relispartition
             ORDER BY 1
            """).rows.map { TableCount(table: try $0.decode("name", as: String.self), rows: try $0.decode("rows", as: Int64.self)) }
        let chains = try connection.query("""
            SELECT chain::int4 AS chain, last_position, last_id, encode(last_hash, 'hex') AS last_hash
              FROM dossier.audit_chains ORDER BY chain
            """).rows.map {
            ChainHead(chain: try $0.decode("chain", as: Int.self), lastPosition: try $0.decode("last_position", as: Int64.self),
                      lastId: try $0.decode("last_id", as: Int64?.self), lastHash: try $0.decode("last_hash", as: String.self))
        }
        return DatabaseInventory(schemaVersion: try version.decode("v", as: Int.self), tables: tables, auditChains: chains)
    }

    /// Differences from `expected`, one line each; empty when they agree.
    public func differences(from expected: DatabaseInventory) -> [String] {
        var lines: [String] = []
        if schemaVersion != expected.schemaVersion {
            lines.append("schema version \(schemaVersion), backup has \(expected.schemaVersion)")
        }
        let mine = Dictionary(tables.map { ($0.table, $0.rows) }, uniquingKeysWith: { a, _ in a })
        for table in expected.tables where mine[table.table] != table.rows {
            lines.append("\(table.table): \(mine[table.table].map(String.init) ?? "missing") rows, backup has \(table.rows)")
        }
        let theirs = Set(expected.tables.map(\.table))
        for table in tables where !theirs.contains(table.table) {
            lines.append("\(table.table): not in the backup")
        }
        if auditChains != expected.auditChains {
            let heads = Dictionary(auditChains.map { ($0.chain, $0) }, uniquingKeysWith: { a, _ in a })
            for head in expected.auditChains where heads[head.chain] != head {
                lines.append("audit chain \(head.chain) ends at position \(heads[head.chain]?.lastPosition ?? -1), backup has \(head.lastPosition)")
            }
            if auditChains.count != expected.auditChains.count {
                lines.append("\(auditChains.count) audit chains, backup has \(expected.auditChains.count)")
            }
        }
        return lines
    }
}
