import DossierDomain
import DossierProtocol
import Postgres

/// `CUSTOMER FIND` and `CUSTOMER LIST`.
///
/// FIND: substring match (case-insensitive, Chinese included) on the name over
/// the whole directory, and on credit code, contact and phone among customers
/// whose details the caller sees. The index lookups run in
/// `dossier.customer_name_hits` / `dossier.customer_detail_hits` (migration
/// 0008): under row-level security PostgreSQL does not use an index for `@>`
/// (not LEAKPROOF), so those functions only produce candidate ids and this
/// query joins them back to `customers` / `customer_details` under the
/// caller's policies, which decide what is shown.
///
/// Phone and identity card number are sealed (issue 16): they are found only
/// whole, by their blind index (the needle's HMAC under every master key,
/// `PersonalData.blindIndexParameter`), never by a substring.
///
/// FIND pages the same way (`after=` passes the cursor's number key to the hit functions).
///
/// LIST: the directory in number order, keyset-paged; the cursor is the last
/// customer number of the page (`next=C-2026-00050`), so rows inserted between
/// pages never shift or repeat a page.
enum CustomerSearch {
    static let defaultFindLimit = 20
    static let defaultListLimit = 50

    /// `dossier.customer_find` (migrations 0092, 0131; name lists 0130): the candidates are
    /// materialized first and carry their number key, so the plan joins a few
    /// dozen ids to `customers` by primary key instead of walking the whole
    /// directory in number order through its policy. A function, so that this
    /// plan is made once per session: as a prepared statement it was planned
    /// afresh (tens of ms, for the nested policies) at each of its first five
    /// executions on every pooled connection.
    /// `after=` is the number of the last customer shown; its key is taken in
    /// the same statement (`customer_number_key` is strict: no cursor, NULL).
    static let findSQL = """
        SELECT f.number, f.name, f.owner, f.dept, f.details, f.grade, f.region
          FROM dossier.customer_find($1::text, $2::int, dossier.customer_number_key($3::text), $4::text) f
        """

    /// FIND's one statement: the whole command (`CommandHandlers.wholeCommand`).
    /// Pages like LIST: one row more than the page tells whether there is a
    /// next page, whose cursor is the last number shown.
    static func findStatement(_ command: CustomerFind, personalData: PersonalData?) throws -> PipelinedStatement {
        let limit = command.limit ?? defaultFindLimit
        let after = try command.after.map { (cursor) throws -> CustomerNumber in
            guard let last = CustomerNumber(cursor.rawValue) else {
                throw ProtocolError.invalid("after", "expected the next= cursor of a previous listing")
            }
            return last
        }
        let blind = personalData?.blindIndexParameter(for: command.text) ?? ""
        return PipelinedStatement(findSQL, [command.text, limit + 1, after?.description, blind])
    }

    /// The page from the answer of `findStatement`.
    static func findResponse(_ command: CustomerFind, answer: PostgresResult) throws -> Response {
        let limit = command.limit ?? defaultFindLimit
        var rows = try answer.rows.map(directoryRow)
        guard rows.count > limit else { return .rows(rows) }
        rows.removeLast(rows.count - limit)
        return .rows(rows, suffix: "next=\(rows[rows.count - 1]["id"] ?? "")")
    }

    static func list(_ command: CustomerList, on connection: PostgresConnection) throws -> Response {
        let limit = command.limit ?? defaultListLimit
        var conditions: [String] = []
        var params: [(any PostgresEncodable)?] = []
        func parameter(_ value: any PostgresEncodable, _ type: String) -> String {
            params.append(value)
            return "$\(params.count)::\(type)"
        }
        if let login = command.owner {
            guard let row = try connection.query("SELECT id FROM users WHERE login = $1::text", [login.rawValue]).first else {
                throw ProtocolError(.notFound, "no user \(login.rawValue)")
            }
            conditions.append("c.owner_id = \(parameter(try row.decode("id", as: Int64.self), "int8"))")
        }
        // Details the caller may not see are not joined (row-level security), so
        // these filters match only customers whose details the caller sees.
        if let grade = command.grade { conditions.append("cd.grade = \(parameter(grade.rawValue, "text"))") }
        if let region = command.region { conditions.append("cd.region = \(parameter(region, "text"))") }
        if let flag = command.flag {
            // Flags need open receivables: those customers first, then their flags.
            conditions.append("cd.customer_id IS NOT NULL"
                + " AND c.id IN (SELECT r.customer_id FROM credit_receivables r WHERE r.open_fen > 0)"
                + " AND \(parameter(flag.rawValue, "text")) = ANY (dossier.credit_flags(c.id))")
        }
        if let cursor = command.after {
            guard let last = CustomerNumber(cursor.rawValue) else {
                throw ProtocolError.invalid("after", "expected the next= cursor of a previous listing")
            }
            conditions.append(
                "dossier.customer_number_key(c.number) > dossier.customer_number_key(\(parameter(last.description, "text")))")
        }
        let sql = """
            SELECT c.number, c.name, u.login AS owner, d.code AS dept,
                   cd.customer_id IS NOT NULL AS details, cd.grade, cd.region
              FROM customers c
              JOIN users u ON u.id = c.owner_id
              JOIN departments d ON d.id = c.dept_id
              LEFT JOIN customer_details cd ON cd.customer_id = c.id
            \(conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
             ORDER BY dossier.customer_number_key(c.number)
             LIMIT \(parameter(limit + 1, "int"))
            """
        var rows = try connection.query(sql, params).rows.map(directoryRow)
        guard rows.count > limit else { return .rows(rows) }
        rows.removeLast(rows.count - limit)
        return .rows(rows, suffix: "next=\(rows[rows.count - 1]["id"] ?? "")")
    }

    /// `id= name= owner= dept=`, plus `grade= region=` where the caller sees the details.
    static func directoryRow(_ row: PostgresRow) throws -> Row {
        var out = Row()
        out.append("id", try row.decode("number", as: String.self))
        out.append("name", try row.decode("name", as: String.self))
        out.append("owner", try row.decode("owner", as: String.self))
        out.append("dept", try row.decode("dept", as: String.self))
        if try row.decode("details", as: Bool.self) {
            out.append("grade", try row.decodeIfPresent("grade", as: String.self))
            out.append("region", try row.decodeIfPresent("region", as: String.self))
        }
        return out
    }
}
