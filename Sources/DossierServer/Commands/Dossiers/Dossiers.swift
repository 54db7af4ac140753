import DossierDomain
import DossierProtocol
import Postgres

/// `DOSSIER NEW/SUBMIT/SHOW/LIST`: a customer's dossiers from draft to filed.
enum Dossiers {
    static func create(_ command: DossierNew, actor: Actor, on connection: PostgresConnection) throws -> Response {
        guard let customer = try connection.query(
            "SELECT id, dept_id, owner_id FROM customers WHERE number = $1::text", [command.customer.description]).first
        else { throw ProtocolError(.notFound, "no customer \(command.customer)") }
        let departmentID = try customer.decode("dept_id", as: Int64.self)
        let ownsCustomer = try customer.decode("owner_id", as: Int64.self) == actor.userID
        let managesIt = actor.role == .manager && actor.departmentID == departmentID
        guard ownsCustomer || managesIt || actor.role == .director else {
            throw ProtocolError(.denied, "only the customer's owner, its department's manager or a director opens its dossiers")
        }
        let id = try connection.query("""
            INSERT INTO dossiers (dept_id, category, level, scope, owner_id)
            VALUES ($1::int8, $2::text, $3::text, $4::text, $5::int8) RETURNING id
            """, [departmentID, command.category.rawValue, (command.level ?? .internal).rawValue,
                  (command.scope ?? .personal).rawValue, actor.userID]).firstRow().decode("id", as: Int64.self)
        try connection.query("""
            INSERT INTO dossier_contents (dossier_id, customer_id, title, location) VALUES ($1::int8, $2::int8, $3::text, $4::text)
            """, [id, try customer.decode("id", as: Int64.self), command.title, command.location ?? ""])
        try Audit.record(connection, action: "dossier.new", target: "D\(id)", detail: command.customer.description)
        return .ok("D\(id)")
    }

    static func submit(_ ref: DossierRef, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let dossier = try DossierRecord.find(ref, on: connection, lock: true)
        try dossier.requireOwner(actor, toDo: "submit it")
        try dossier.requireStatus("draft", toDo: "submit")
        let items = try connection.query("SELECT count(*)::int8 AS n FROM items WHERE dossier_id = $1::int8", [dossier.id])
        guard try items.firstRow().decode("n", as: Int.self) > 0 else {
            throw ProtocolError(.conflict, "\(dossier.reference) has no items; add at least one before submitting")
        }
        try connection.query(
            "UPDATE dossiers SET status = 'submitted', submitted_at = now(), updated_at = now() WHERE id = $1::int8", [dossier.id])
        let chain = try ApprovalPolicy.chain(for: .file, dossier.policySubject(actor))
        let approval = try ApprovalEngine.request(
            .file, chain: chain, departmentID: dossier.departmentID, target: .init(dossierID: dossier.id),
            actor: actor, on: connection)
        return .ok(approval.description)
    }

    /// The page of `DOSSIER LIST` after the dossier id `after`: `limit` rows and
    /// one more (whether a next page exists). See `list` for its plans.
    static func listStatement(_ command: DossierList, after: Int64, limit: Int) -> PipelinedStatement {
        var filter = SQLFilter()
        filter.add(after) { "d.id > \($0)::int8" }
        if let category = command.category { filter.add(category.rawValue) { "d.category = \($0)::text" } }
        // Alone, the status is written so that only its index gives the order
        // (see `list`); with a name filter, the planner chooses.
        let statusLeads = command.status != nil && !listHasNameFilter(command)
        if let status = command.status {
            filter.add(status.rawValue) { statusLeads ? "d.status = ANY (ARRAY[\($0)::text])" : "d.status = \($0)::text" }
        }
        if let owner = command.owner {
            filter.add(owner.rawValue) { "d.owner_id = (SELECT o.id FROM users o WHERE o.login = \($0)::text)" }
        }
        if let department = command.department {
            filter.add(department.rawValue) { "d.dept_id = (SELECT x.id FROM departments x WHERE x.code = \($0)::text)" }
        }
        if let customer = command.customer {
            filter.add(customer.description) {
                "d.register_customer_id = (SELECT c.id FROM customers c WHERE c.number = \($0)::text)"
            }
        }
        let limitParameter = filter.parameter(limit + 1)
        // The page first, then its names: the joins see 51 rows, not the register.
        return PipelinedStatement("""
            SELECT d.id, coalesce(d.number, '') AS number, d.category, dp.code AS dept, d.level, d.scope, d.status,
                   u.login AS owner, coalesce(d.filed_year::text, '') AS year,
                   coalesce(d.register_title, '') AS title, coalesce(cu.number, '') AS customer
              FROM (SELECT d.* FROM dossiers d\(filter.whereClause) ORDER BY \(statusLeads ? "d.status, " : "")d.id
                    LIMIT \(limitParameter)::int4) d
              JOIN departments dp ON dp.id = d.dept_id
              JOIN users u ON u.id = d.owner_id
              LEFT JOIN customers cu ON cu.id = d.register_customer_id
             ORDER BY d.id
            """, filter.parameters)
    }

    /// The opening statement of `DOSSIER LIST` (see `list`): generic plans for
    /// the rest of the command's transaction, unless the filters need custom ones.
    static func listPlanningStatement(_ command: DossierList) -> PipelinedStatement? {
        guard command.status == nil || !listHasNameFilter(command) else { return nil }
        return PipelinedStatement("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)", [])
    }

    /// An owner, department or customer filter: a value looked up by name,
    /// unknown to the planner either way.
    static func listHasNameFilter(_ command: DossierList) -> Bool {
        command.owner != nil || command.department != nil || command.customer != nil
    }

    /// `dossier.dossier_show` (0080) for `command`: finding the card, reading
    /// the content and writing the audit row in one statement, each through
    /// the policies. The whole command: it travels with `BEGIN` and `COMMIT`
    /// (`CommandHandlers.wholeCommand`).
    static func showStatement(_ command: DossierShow) -> PipelinedStatement {
        PipelinedStatement("SELECT * FROM dossier.dossier_show($1::int8, $2::text, $3::text)",
                           [command.ref.draftID, command.ref.archiveNumber, command.purpose ?? ""])
    }

    /// The content, one row, from the answer of `showStatement` (the read was
    /// logged with its purpose in the same transaction). A refusal here
    /// follows a transaction that wrote nothing: `dossier_show` writes its
    /// audit row only with the content it returns.
    static func showResponse(_ command: DossierShow, actor: Actor, answer: PostgresResult) throws -> Response {
        guard let row = answer.first else { throw ProtocolError(.notFound, "no dossier \(command.ref)") }
        let dossierID = try row.decode("id", as: Int64.self)
        let archiveNumber = try row.decode("number", as: String?.self)
        try DossierRecord.requireContent(
            reference: archiveNumber ?? "D\(dossierID)", status: try row.decode("status", as: String.self),
            contentVisible: try row.decode("content_visible", as: Bool.self), reading: actor)
        var out = Row()
        out.append("ref", "D\(dossierID)")
        out.append("number", archiveNumber ?? "")
        for column in ["customer", "category", "title", "level", "scope", "status", "owner", "dept", "location",
                       "filed_at", "retain_until"] {
            out.append(column, try row.decode(column, as: String.self))
        }
        out.append("hold", try row.decode("hold", as: Bool.self))
        // Only a deleted dossier carries the end of its grace period.
        if let until = try row.decode("restorable_until", as: String?.self) {
            out.append("restorable_until", until)
        }
        return .rows([out])
    }

    /// Register entries the caller can see, oldest first, by keyset (`after=`).
    ///
    /// One statement per combination of filters, each condition on `dossiers`
    /// itself (a name filter as the id it names, looked up under the caller's
    /// policies), so that every generic plan walks an index in id order and
    /// stops after the page (issue 17). With `$n IS NULL OR …` for every filter,
    /// one statement's generic plan joined every dossier of every owner and
    /// sorted them: 43 ms for 5,000 dossiers, growing with the register.
    ///
    /// Every plan of this listing is generic where a generic plan is right:
    /// with the page size and cursor as parameters, PostgreSQL costs a generic
    /// plan for a tenth of the register, finds it dearer than a custom plan
    /// for one page, and so planned every execution afresh (issue 17: ~0.7 ms
    /// of a 0.2 ms listing at 500,000 dossiers, rising with the register;
    /// generic at 5,000). `listPlanningStatement` makes the transaction's
    /// plans generic, as the opening statement of the command. A status
    /// alone is matched as `= ANY (ARRAY[…])` and ordered by status first, so
    /// that the generic plan walks the (status, id) index even for a rare
    /// status (as `= $n` it walked the primary key and filtered: the whole
    /// register for `status=deleted`). A status together with an owner,
    /// department or customer keeps custom plans: only they know whether the
    /// status or the name is the rarer.
    static func list(_ command: DossierList, actor: Actor, on connection: PostgresConnection) throws -> Response {
        var answers: [PostgresResult] = []
        for statement in try listStatements(command) {
            answers.append(try connection.query(statement.sql, statement.params))
        }
        return try listResponse(command, answer: answers.last)
    }

    /// The statements of `DOSSIER LIST`: the planning statement, when the
    /// filters take generic plans, then the page. The whole command: they
    /// travel with `BEGIN` and `COMMIT` (`CommandHandlers.wholeCommand`).
    static func listStatements(_ command: DossierList) throws -> [PipelinedStatement] {
        var after: Int64 = 0
        if let cursor = command.after {
            guard cursor.rawValue.hasPrefix("d"), let value = Int64(cursor.rawValue.dropFirst()) else {
                throw ProtocolError.invalid("after", "not a cursor returned by DOSSIER LIST")
            }
            after = value
        }
        let page = listStatement(command, after: after, limit: command.limit ?? 50)
        return [listPlanningStatement(command), page].compactMap { $0 }
    }

    /// The page from the answer of the last of `listStatements`.
    static func listResponse(_ command: DossierList, answer: PostgresResult?) throws -> Response {
        let limit = command.limit ?? 50
        let rows = answer?.rows ?? []
        var out: [Row] = []
        for row in rows.prefix(limit) {
            var line = Row()
            line.append("ref", "D\(try row.decode("id", as: Int64.self))")
            for column in ["number", "category", "dept", "level", "scope", "status", "owner", "year", "title", "customer"] {
                line.append(column, try row.decode(column, as: String.self))
            }
            out.append(line)
        }
        if rows.count > limit, let last = rows.prefix(limit).last {
            return .rows(out, suffix: "next=d\(try last.decode("id", as: Int64.self))")
        }
        return .rows(out)
    }
}
