import DossierDomain
import DossierProtocol
import Foundation
import Postgres

/// `dossierd export …`: the lists offices print or send as spreadsheets, as
/// CSV (UTF-8 with BOM, or GBK) or `.xlsx`.
///
/// Each export runs the protocol's own listing verb for the user named with
/// `--as` (its role check, its row-level security, its columns), so a file
/// holds exactly what that user would see over the protocol; the handover list,
/// which has no verb, reads `handovers` under the same row-level security.
/// Each export writes one `export.<kind>` audit row in the same transaction.
public enum Export {
    public enum Kind: String, Sendable, CaseIterable {
        /// 档案目录: `DOSSIER LIST`, every page.
        case register
        /// The customer list: every customer of the directory as `CUSTOMER SHOW`
        /// answers (details only where visible), under the import's Chinese
        /// headings so the file can be imported again.
        case customers
        /// 卷内目录 of one dossier: `ITEM LIST <ref>`.
        case items
        /// Loans: `LOAN LIST`.
        case loans
        /// One month's penalties: `PENALTY LIST month=`.
        case penalties
        /// The month's totals per department and user: `PENALTY REPORT month=`.
        case penaltyReport = "penalty-report"
        /// 销毁清册: `DESTRUCTION LIST [year=]`.
        case destructions
        /// 移交清单: what moved when a user left.
        case handover
    }

    public enum Format: Sendable, Equatable {
        case csv(TextEncoding)
        case xlsx
    }

    /// What to export; which fields are needed depends on `kind`.
    public struct Request: Sendable {
        public var kind: Kind
        public var ref: String?
        public var month: String?
        public var year: String?
        public var leaver: String?
        public init(kind: Kind, ref: String? = nil, month: String? = nil, year: String? = nil, leaver: String? = nil) {
            self.kind = kind; self.ref = ref; self.month = month; self.year = year; self.leaver = leaver
        }
    }

    public struct Table: Sendable, Equatable {
        public let header: [String]
        public let rows: [[String]]
        public init(header: [String], rows: [[String]]) { self.header = header; self.rows = rows }
    }

    /// The table `login` may see, in one transaction that also writes the audit row.
    public static func table(_ request: Request, as login: String, personalData: PersonalData? = nil,
                             on connection: PostgresConnection) throws -> Table {
        try connection.transaction { connection in
            let actor = try OperatorCommand.actor(login, on: connection)
            let (table, target) = try fetch(request, actor: actor, personalData: personalData, on: connection)
            try Audit.record(connection, action: "export.\(request.kind.rawValue)", target: target,
                             detail: "rows=\(table.rows.count)")
            return table
        }
    }

    /// The file's bytes.
    public static func encode(_ table: Table, format: Format, sheetName: String) throws -> [UInt8] {
        switch format {
        case .csv(let encoding):
            return try encoding.encode(CSV.write(header: table.header, rows: table.rows))
        case .xlsx:
            return XLSXWriter.workbook(sheetName: sheetName, header: table.header, rows: table.rows)
        }
    }

    // MARK: Internals

    private static func fetch(_ request: Request, actor: Actor, personalData: PersonalData?, on connection: PostgresConnection) throws
        -> (Table, String) {
        if request.kind == .customers { return (try customers(actor: actor, personalData: personalData, on: connection), "") }
        let (rows, target) = try fetchRows(request, actor: actor, on: connection)
        return (tabulate(rows), target)
    }

    /// Every customer of the directory as `CUSTOMER SHOW` answers (details only
    /// where visible), under the import's headings. `CUSTOMER LIST`'s role check.
    private static func customers(actor: Actor, personalData: PersonalData?, on connection: PostgresConnection) throws -> Table {
        try OperatorCommand.checkAccess(try OperatorCommand.command(["CUSTOMER", "LIST"], []), actor)
        let rows = try Customers.showAll(personalData: personalData, on: connection).map { row in CustomerImport.exportHeadings.map { row[$0.key] ?? "" } }
        return Table(header: CustomerImport.exportHeadings.map(\.heading), rows: rows)
    }

    private static func fetchRows(_ request: Request, actor: Actor, on connection: PostgresConnection) throws -> ([Row], String) {
        switch request.kind {
        case .register:
            var rows: [Row] = []
            var after: String?
            repeat {
                let command = try OperatorCommand.command(
                    ["DOSSIER", "LIST"], [("limit", "1000")] + (after.map { [("after", $0)] } ?? []))
                try OperatorCommand.checkAccess(command, actor)
                guard case .dossierList(let list) = command else { throw unexpected(command) }
                let response = try Dossiers.list(list, actor: actor, on: connection)
                rows += response.rows
                after = nextCursor(response)
            } while after != nil
            return (rows, "")
        case .customers:
            throw unexpected(try OperatorCommand.command(["CUSTOMER", "LIST"], []))
        case .items:
            let ref = try required(request.ref, "--ref")
            let command = try OperatorCommand.command(["ITEM", "LIST"], [], positionals: [ref])
            try OperatorCommand.checkAccess(command, actor)
            guard case .itemList(let parsed) = command else { throw unexpected(command) }
            return (try Items.list(parsed, actor: actor, on: connection).rows, ref)
        case .loans:
            let command = try OperatorCommand.command(["LOAN", "LIST"], [])
            try OperatorCommand.checkAccess(command, actor)
            guard case .loanList(let parsed) = command else { throw unexpected(command) }
            return (try Loans.list(parsed, on: connection).rows, "")
        case .penalties:
            let month = try required(request.month, "--month")
            let command = try OperatorCommand.command(["PENALTY", "LIST"], [("month", month)])
            try OperatorCommand.checkAccess(command, actor)
            guard case .penaltyList(let parsed) = command else { throw unexpected(command) }
            return (try Penalties.list(parsed, actor: actor, on: connection).rows, month)
        case .penaltyReport:
            let month = try required(request.month, "--month")
            let command = try OperatorCommand.command(["PENALTY", "REPORT"], [("month", month)])
            try OperatorCommand.checkAccess(command, actor)
            guard case .penaltyReport(let parsed) = command else { throw unexpected(command) }
            return (try Penalties.report(month: parsed, actor: actor, on: connection).rows, month)
        case .destructions:
            let command = try OperatorCommand.command(["DESTRUCTION", "LIST"], request.year.map { [("year", $0)] } ?? [])
            try OperatorCommand.checkAccess(command, actor)
            guard case .destructionList(let parsed) = command else { throw unexpected(command) }
            return (try Destruction.register(parsed, on: connection).rows, request.year ?? "")
        case .handover:
            let leaver = try required(request.leaver, "--leaver")
            return (try HandoverList.rows(leaver: leaver, on: connection), leaver)
        }
    }

    /// Columns in order of first appearance; a row lacking one gets "".
    static func tabulate(_ rows: [Row]) -> Table {
        var header: [String] = []
        for row in rows { for field in row.fields where !header.contains(field.key) { header.append(field.key) } }
        return Table(header: header, rows: rows.map { row in header.map { row[$0] ?? "" } })
    }

    /// `next=<cursor>` of a final `OK <n> next=<cursor>`.
    static func nextCursor(_ response: Response) -> String? {
        guard case .ok(let text) = response.final else { return nil }
        return text.split(separator: " ").first { $0.hasPrefix("next=") }.map { String($0.dropFirst(5)) }
    }

    private static func required(_ value: String?, _ option: String) throws -> String {
        guard let value, !value.isEmpty else { throw ProtocolError(.args, "this export needs \(option)") }
        return value
    }

    private static func unexpected(_ command: Command) -> ProtocolError {
        ProtocolError(.internal, "export parsed \(command.spec.name) unexpectedly")
    }
}

/// 移交清单: the customers and dossiers handed over when `leaver` left (their
/// latest handover), as far as row-level security shows the handover
/// (the department's manager, administrators, directors, the leaver).
enum HandoverList {
    static func rows(leaver: String, on connection: PostgresConnection) throws -> [Row] {
        let rows = try connection.query("""
            WITH latest AS (
                SELECT h.* FROM handovers h JOIN users l ON l.id = h.leaver_id
                 WHERE l.login = $1::text ORDER BY h.performed_at DESC, h.id DESC LIMIT 1)
            SELECT h.id, to_char(h.performed_at AT TIME ZONE dossier.company_time_zone(), 'YYYY-MM-DD HH24:MI') AS at,
                   dp.code AS dept, l.login AS leaver, s.login AS successor, coalesce(p.login, '') AS performed_by,
                   i.object_kind, i.reference
              FROM latest h
              JOIN handover_items i ON i.handover_id = h.id
              JOIN departments dp ON dp.id = h.dept_id
              JOIN users l ON l.id = h.leaver_id
              JOIN users s ON s.id = h.successor_id
              LEFT JOIN users p ON p.id = h.performed_by
             ORDER BY i.object_kind DESC, i.reference
            """, [leaver]).rows
        guard !rows.isEmpty else { throw ProtocolError(.notFound, "no handover of \(leaver)") }
        return try rows.map { row in
            var out = Row()
            out.append("handover", String(try row.decode("id", as: Int64.self)))
            out.append("at", try row.decode("at", as: String.self))
            out.append("dept", try row.decode("dept", as: String.self))
            out.append("leaver", try row.decode("leaver", as: String.self))
            out.append("successor", try row.decode("successor", as: String.self))
            out.append("performed_by", try row.decode("performed_by", as: String.self))
            out.append("kind", try row.decode("object_kind", as: String.self))
            out.append("reference", try row.decode("reference", as: String.self))
            return out
        }
    }
}
