import DossierDomain
import DossierProtocol
import Postgres

/// 回访: follow-up visits of customers (seed 001 篇二). Templates are rows
/// (`followup_templates`), planned visits are rows of `followups`, content of
/// their customer: row-level security shows them to whoever sees the
/// customer's details, and to their assignee. Migration 0060 and policies.sql.
enum FollowUps {
    // MARK: Templates

    /// `FOLLOWUP TEMPLATES`: rows `name= unit= days= summary= auto= auto_kind=
    /// auto_grade=` (`any`: not restricted; empty when auto=no).
    static func templates(on connection: PostgresConnection) throws -> Response {
        let rows = try connection.query("""
            SELECT name, unit, array_to_string(offsets, ',') AS days, summary,
                   CASE WHEN auto THEN 'yes' ELSE 'no' END AS auto,
                   CASE WHEN auto THEN coalesce(auto_kind, 'any') ELSE '' END AS auto_kind,
                   CASE WHEN auto THEN coalesce(auto_grade, 'any') ELSE '' END AS auto_grade
              FROM followup_templates ORDER BY name
            """).rows
        return .rows(try rows.map {
            try Row($0, columns: ["name", "unit", "days", "summary", "auto", "auto_kind", "auto_grade"])
        })
    }

    /// `FOLLOWUP AUTO <template> yes|no [kind=] [grade=]`: `OK <template>
    /// auto=yes kind=… grade=…` or `OK <template> auto=no`. From then on a
    /// customer created with, or changing into, that kind and grade gets the
    /// template's visits in the same transaction (migration 0067's trigger).
    static func setAuto(_ command: FollowUpAuto, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let changed = try connection.query("""
            UPDATE followup_templates
               SET auto = $2::bool, auto_kind = $3::text, auto_grade = $4::text, updated_by = $5::int8, updated_at = now()
             WHERE name = $1::text
            """, [command.template, command.enabled, command.kind?.rawValue, command.grade?.rawValue, actor.userID])
        guard changed.affectedRows == 1 else { throw ProtocolError(.notFound, "no follow-up template \(command.template)") }
        let answer = command.enabled
            ? "auto=yes kind=\(command.kind?.rawValue ?? "any") grade=\(command.grade?.rawValue ?? "any")"
            : "auto=no"
        try Audit.record(connection, action: "followup.auto", target: command.template, detail: answer)
        return .ok("\(command.template) \(answer)")
    }

    /// `FOLLOWUP TEMPLATE <name> days= [unit=] [summary=]`: creates or replaces a
    /// template. Visits already planned keep their due days.
    static func setTemplate(_ command: FollowUpTemplateSet, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let days = command.offsets.map(String.init).joined(separator: ",")
        let created = try connection.query("""
            INSERT INTO followup_templates (name, summary, offsets, unit, updated_by)
            VALUES ($1::text, coalesce($2::text, ''), string_to_array($3::text, ',')::int[], coalesce($4::text, 'day'), $5::int8)
            ON CONFLICT (name) DO UPDATE
               SET offsets = EXCLUDED.offsets, unit = coalesce($4::text, followup_templates.unit),
                   summary = coalesce($2::text, followup_templates.summary),
                   updated_by = EXCLUDED.updated_by, updated_at = now()
            RETURNING (xmax = 0) AS created, unit
            """, [command.name, command.summary, days, command.unit?.rawValue, actor.userID]).firstRow()
        let unit = try created.decode("unit", as: String.self)
        try Audit.record(connection, action: "followup.template", target: command.name, detail: "days=\(days) unit=\(unit)")
        return .ok("\(command.name) \(try created.decode("created", as: Bool.self) ? "created" : "changed")")
    }

    // MARK: Planning

    /// `FOLLOWUP PLAN <customer> template= [assignee=] [from=]`: one visit per
    /// offset of the template; rows `visit= step= due=`.
    static func plan(_ command: FollowUpPlan, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let customer = try CustomerRecord.forChange(command.customer, actor: actor, toDo: "plans visits of", on: connection)
        let assignee = try assignee(command.assignee, for: customer, actor: actor, on: connection)
        // A past day is a plan's right start (the sale was last week); ten years off is a typo.
        if let from = command.from { try DateHorizon.check(from, key: "from", on: connection) }
        guard let template = try connection.query(
            "SELECT unit FROM followup_templates WHERE name = $1::text", [command.template]).first
        else { throw ProtocolError(.notFound, "no follow-up template \(command.template)") }
        _ = try template.decode("unit", as: String.self)
        let open = try connection.query("""
            SELECT count(*)::int8 AS n FROM followups
             WHERE customer_id = $1::int8 AND template = $2::text AND status = 'open'
            """, [customer.id, command.template]).firstRow().decode("n", as: Int64.self)
        if open > 0 {
            throw ProtocolError(.conflict, "\(command.customer) has \(open) open visit(s) of template \(command.template)")
        }
        let planned = try connection.query("""
            SELECT 'V' || p.id AS visit, p.step_no::text AS step, to_char(p.due_on, 'YYYY-MM-DD') AS due
              FROM dossier.followup_plan($1::int8, $2::int8, $3::int8, $4::text, coalesce($5::date, current_date)) p
             ORDER BY p.step_no
            """, [customer.id, customer.departmentID, assignee.id, command.template, command.from?.description]).rows
        let rows = try planned.map { try Row($0, columns: ["visit", "step", "due"]) }
        try Audit.record(connection, action: "followup.plan", target: command.customer.description,
                         detail: "template=\(command.template) assignee=\(assignee.login) visits="
                             + rows.compactMap { $0["visit"] }.joined(separator: ","))
        return .rows(rows)
    }

    /// `FOLLOWUP ADD <customer> due= [assignee=] [note=]`: `OK V<n>`.
    static func add(_ command: FollowUpAdd, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let customer = try CustomerRecord.forChange(command.customer, actor: actor, toDo: "plans visits of", on: connection)
        let assignee = try assignee(command.assignee, for: customer, actor: actor, on: connection)
        try DateHorizon.check(command.due, key: "due", side: .notPast, on: connection)
        let id = try connection.query("""
            INSERT INTO followups (customer_id, dept_id, assignee_id, planned_by, due_on, note)
            VALUES ($1::int8, $2::int8, $3::int8, $4::int8, $5::date, $6::text) RETURNING id
            """, [customer.id, customer.departmentID, assignee.id, actor.userID, command.due.description, command.note])
            .firstRow().decode("id", as: Int64.self)
        try Audit.record(connection, action: "followup.add", target: "V\(id)", purpose: command.note ?? "",
                         detail: "\(command.customer) due=\(command.due) assignee=\(assignee.login)")
        return .ok("V\(id)")
    }

    /// Who makes the visits: the customer's owner unless `assignee=` names an
    /// active rep, manager or director of the customer's department. A rep
    /// plans only for themselves; a manager or director for anyone there.
    private static func assignee(_ login: Login?, for customer: CustomerRecord, actor: Actor,
                                 on connection: PostgresConnection) throws -> (id: Int64, login: String) {
        let row: PostgresRow?
        if let login {
            row = try connection.query(
                "SELECT id, login, dept_id, role, active FROM users WHERE login = $1::text", [login.rawValue]).first
            guard row != nil else { throw ProtocolError(.notFound, "no user \(login)") }
        } else {
            row = try connection.query(
                "SELECT id, login, dept_id, role, active FROM users WHERE id = $1::int8", [customer.ownerID]).first
        }
        guard let row else { throw ProtocolError(.notFound, "no owner of \(customer.number)") }
        let id = try row.decode("id", as: Int64.self)
        let name = try row.decode("login", as: String.self)
        guard try row.decode("active", as: Bool.self) else { throw ProtocolError(.conflict, "\(name) has left") }
        guard try row.decode("dept_id", as: Int64.self) == customer.departmentID,
              [Role.rep, .manager, .director].contains(Role(rawValue: try row.decode("role", as: String.self)))
        else { throw ProtocolError.invalid("assignee", "must be a rep, manager or director of the customer's department") }
        if id != actor.userID && actor.role == .rep {
            throw ProtocolError(.denied, "a rep plans visits only for themselves")
        }
        if customer.closed { throw ProtocolError(.conflict, "\(customer.number) is closed") }
        return (id, name)
    }

    // MARK: Recording

    /// `FOLLOWUP RECORD V<n> method= outcome= [satisfaction=] [objection=]`: the
    /// assignee records the visit, dated today (seed 001: recorded on the file
    /// the same day). `OK V<n> late=yes|no`.
    static func record(_ command: FollowUpRecord, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let select = """
            SELECT f.id, f.assignee_id, f.status, u.login AS assignee, c.number AS customer, f.due_on < current_date AS late
              FROM followups f JOIN users u ON u.id = f.assignee_id JOIN customers c ON c.id = f.customer_id
             WHERE f.id = $1::int8
            """
        // Locked when the caller may record it (the write policy grants the lock).
        guard let row = try connection.query(select + " FOR UPDATE OF f", [command.visit.value]).first
                ?? connection.query(select, [command.visit.value]).first
        else { throw ProtocolError(.notFound, "no visit \(command.visit)") }
        let assignee = try row.decode("assignee", as: String.self)
        guard try row.decode("assignee_id", as: Int64.self) == actor.userID else {
            throw ProtocolError(.denied, "only the assignee \(assignee) records \(command.visit)")
        }
        try requireOpen(command.visit, status: try row.decode("status", as: String.self))
        try connection.query("""
            UPDATE followups
               SET status = 'done', method = $2::text, outcome = $3::text, satisfaction = $4::int4, objection = $5::text,
                   visited_on = current_date, recorded_by = $6::int8, recorded_at = now()
             WHERE id = $1::int8
            """, [command.visit.value, command.method.rawValue, command.outcome, command.satisfaction, command.objection,
                  actor.userID])
        let late = try row.decode("late", as: Bool.self)
        try Audit.record(connection, action: "followup.record", target: command.visit.description,
                         detail: "\(try row.decode("customer", as: String.self)) method=\(command.method.rawValue)"
                             + (late ? " late" : ""))
        return .ok("\(command.visit) late=\(late ? "yes" : "no")")
    }

    /// A visit that is no longer open changes no more.
    private static func requireOpen(_ visit: VisitID, status: String) throws {
        switch status {
        case "open": return
        case "cancelled": throw ProtocolError(.conflict, "\(visit) is cancelled")
        default: throw ProtocolError(.conflict, "\(visit) is recorded already")
        }
    }

    // MARK: Reassigning and cancelling

    /// A visit the caller sees with its customer, locked when the caller may
    /// change it (the write policy grants the lock); NOTFOUND otherwise.
    private static func visitForChange(_ visit: VisitID, on connection: PostgresConnection) throws
        -> (row: PostgresRow, customer: CustomerRecord) {
        let select = """
            SELECT f.id, f.status, f.assignee_id, u.login AS assignee, c.id AS customer_id, c.number, c.dept_id, c.owner_id,
                   c.closed_on IS NOT NULL AS closed
              FROM followups f JOIN users u ON u.id = f.assignee_id JOIN customers c ON c.id = f.customer_id
             WHERE f.id = $1::int8
            """
        guard let row = try connection.query(select + " FOR UPDATE OF f", [visit.value]).first
                ?? connection.query(select, [visit.value]).first
        else { throw ProtocolError(.notFound, "no visit \(visit)") }
        guard let number = CustomerNumber(try row.decode("number", as: String.self)) else {
            throw ProtocolError(.internal, "customer number of \(visit)")
        }
        let customer = CustomerRecord(
            id: try row.decode("customer_id", as: Int64.self), departmentID: try row.decode("dept_id", as: Int64.self),
            ownerID: try row.decode("owner_id", as: Int64.self), closed: try row.decode("closed", as: Bool.self), number: number)
        return (row, customer)
    }

    /// `FOLLOWUP ASSIGN V<n> assignee= [reason=]`: the department's manager or
    /// a director gives an open visit to another rep, manager or director of
    /// the customer's department. `OK V<n> assignee=<login>`.
    static func assign(_ command: FollowUpAssign, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let (row, customer) = try visitForChange(command.visit, on: connection)
        guard customer.isManaged(by: actor) || actor.role == .director else {
            throw ProtocolError(.denied, "only the department's manager or a director reassigns \(command.visit)")
        }
        try requireOpen(command.visit, status: try row.decode("status", as: String.self))
        let previous = try row.decode("assignee", as: String.self)
        let assignee = try assignee(command.assignee, for: customer, actor: actor, on: connection)
        if assignee.id == (try row.decode("assignee_id", as: Int64.self)) {
            throw ProtocolError(.conflict, "\(command.visit) is assigned to \(previous) already")
        }
        try connection.query("UPDATE followups SET assignee_id = $2::int8 WHERE id = $1::int8", [command.visit.value, assignee.id])
        try Audit.record(connection, action: "followup.assign", target: command.visit.description, purpose: command.reason ?? "",
                         detail: "\(customer.number) from=\(previous) to=\(assignee.login)")
        return .ok("\(command.visit) assignee=\(assignee.login)")
    }

    /// `FOLLOWUP CANCEL V<n> reason=`: the customer's owner, the department's
    /// manager or a director cancels an open visit; it leaves TODO and the
    /// overdue lists, and stays listed with `status=cancelled`. `OK V<n> cancelled`.
    static func cancel(_ command: FollowUpCancel, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let (row, customer) = try visitForChange(command.visit, on: connection)
        guard customer.isOwned(by: actor) || customer.isManaged(by: actor) || actor.role == .director else {
            throw ProtocolError(.denied, "only the customer's owner, the department's manager or a director cancels \(command.visit)")
        }
        try requireOpen(command.visit, status: try row.decode("status", as: String.self))
        _ = try cancelOpen(of: customer, only: command.visit, reason: command.reason, actor: actor, on: connection)
        return .ok("\(command.visit) cancelled")
    }

    /// Cancels the open visits of `customer` (only `visit`, when given) in the
    /// actor's name, one `followup.cancel` audit row each; their ids, in order.
    /// FOLLOWUP CANCEL, and CUSTOMER CLOSE for all of them: nobody visits a
    /// customer the company no longer works with.
    static func cancelOpen(of customer: CustomerRecord, only visit: VisitID? = nil, reason: String, actor: Actor,
                           on connection: PostgresConnection) throws -> [Int64] {
        let cancelled = try connection.query("""
            UPDATE followups f SET status = 'cancelled', cancelled_by = $3::int8, cancelled_at = now(), cancel_reason = $4::text
              FROM users u
             WHERE f.customer_id = $1::int8 AND ($2::int8 IS NULL OR f.id = $2::int8) AND f.status = 'open'
               AND u.id = f.assignee_id
            RETURNING f.id, u.login AS assignee
            """, [customer.id, visit?.value, actor.userID, reason]).rows
        var visits: [Int64] = []
        for row in cancelled {
            let id = try row.decode("id", as: Int64.self)
            try Audit.record(connection, action: "followup.cancel", target: "V\(id)", purpose: reason,
                             detail: "\(customer.number) assignee=\(try row.decode("assignee", as: String.self))")
            visits.append(id)
        }
        return visits.sorted()
    }

    /// Why CUSTOMER CLOSE cancelled a customer's open visits (a row's sentence in `FOLLOWUP LIST`).
    static func closedCustomerReason(closedOn day: String) -> String { "the customer was closed on \(day)" }

    // MARK: Listing

    /// `FOLLOWUP LIST [customer=] [assignee=] [status=] [due=] [limit=]`: the
    /// visits the caller sees, by due day; cancelled ones only with `status=cancelled`.
    static func list(_ command: FollowUpList, on connection: PostgresConnection) throws -> Response {
        if let number = command.customer,
           try connection.query("SELECT 1 FROM customers WHERE number = $1::text", [number.description]).first == nil {
            throw Customers.notFound(number)
        }
        let rows = try connection.query("""
            SELECT 'V' || f.id AS visit, c.number AS customer, c.name, u.login AS assignee,
                   to_char(f.due_on, 'YYYY-MM-DD') AS due, dossier.followup_state(f.status, f.due_on) AS status,
                   coalesce(f.template || '/' || f.step_no, '') AS plan, coalesce(f.note, '') AS note,
                   coalesce(f.method, '') AS method, coalesce(to_char(f.visited_on, 'YYYY-MM-DD'), '') AS visited,
                   coalesce(f.satisfaction::text, '') AS satisfaction, coalesce(f.outcome, '') AS outcome,
                   coalesce(f.objection, '') AS objection, coalesce(r.login, '') AS recorded_by,
                   coalesce(x.login, '') AS cancelled_by, coalesce(f.cancel_reason, '') AS cancel_reason
              FROM followups f
              JOIN customers c ON c.id = f.customer_id
              JOIN users u ON u.id = f.assignee_id
              LEFT JOIN users r ON r.id = f.recorded_by
              LEFT JOIN users x ON x.id = f.cancelled_by
             WHERE ($1::text IS NULL OR c.number = $1::text)
               AND ($2::text IS NULL OR u.login = $2::text)
               AND (CASE WHEN $3::text IS NULL THEN f.status <> 'cancelled'
                         ELSE dossier.followup_state(f.status, f.due_on) = $3::text END)
               AND ($4::date IS NULL OR f.due_on BETWEEN $4::date AND $5::date)
             ORDER BY f.due_on, f.id
             LIMIT $6::int4
            """, [command.customer?.description, command.assignee?.rawValue, command.status?.rawValue,
                  command.due?.first.description, command.due?.last.description, command.limit ?? 200]).rows
        return .rows(try rows.map {
            try Row($0, columns: ["visit", "customer", "name", "assignee", "due", "status", "plan", "note", "method",
                                  "visited", "satisfaction", "outcome", "objection", "recorded_by", "cancelled_by",
                                  "cancel_reason"])
        }).sentences(["cancel_reason"])  // a person's reason stays as written; CUSTOMER CLOSE's follows LANG
    }
}
