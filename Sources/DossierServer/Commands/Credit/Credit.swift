import DossierDomain
import DossierProtocol
import Postgres

/// 客户信用: a customer's receivables (arrears and the instalments of
/// repayment plans), payments and plans (migration 0063). All of it is
/// content of the customer: row-level security shows it to whoever sees the
/// customer's details; arrears and payments are written by whoever may change
/// the customer, plans by the department's manager or a director (policies.sql).
/// The rating and the limit are customer fields (`CUSTOMER SET`, approved and
/// with history); `CREDIT SHOW` shows their history beside the money.
enum Credit {
    // MARK: CREDIT ARREARS

    /// `CREDIT ARREARS <customer> amount= due= [note=]`:
    /// `OK R<n> outstanding=<yuan> over_limit=yes|no overdue=yes|no`.
    static func arrears(_ command: CreditArrears, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let customer = try CustomerRecord.forChange(command.customer, actor: actor, toDo: "records arrears of", on: connection)
        if customer.closed { throw ProtocolError(.conflict, "\(customer.number) is closed") }
        try DateHorizon.check(command.due, key: "due", on: connection)
        let id = try connection.query("""
            INSERT INTO credit_receivables (customer_id, dept_id, amount_fen, due_on, note, created_by)
            VALUES ($1::int8, $2::int8, $3::int8, $4::date, $5::text, $6::int8) RETURNING id
            """, [customer.id, customer.departmentID, command.amount.fen, command.due.description, command.note, actor.userID])
            .firstRow().decode("id", as: Int64.self)
        let standing = try Standing.read(customerID: customer.id, on: connection)
        try Audit.record(connection, action: "credit.arrears", target: "R\(id)", purpose: command.note ?? "",
                         detail: "\(command.customer) amount=\(command.amount) due=\(command.due)")
        return .ok("R\(id) \(standing.summary)")
    }

    // MARK: CREDIT PAY

    /// `CREDIT PAY <customer|R<n>> amount= [date=] [note=]`: the payment applied
    /// oldest due first (`PaymentAllocation`); more than is open is refused.
    /// `OK RC<n> applied=R1:…,R2:… outstanding=… over_limit= overdue=`.
    static func pay(_ command: CreditPay, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let number: CustomerNumber
        var receivable: ReceivableID?
        switch command.target {
        case .customer(let customer):
            number = customer
        case .receivable(let id):
            guard let row = try connection.query("""
                SELECT c.number FROM credit_receivables r JOIN customers c ON c.id = r.customer_id WHERE r.id = $1::int8
                """, [id.value]).first,
                let customer = CustomerNumber(try row.decode("number", as: String.self))
            else { throw ProtocolError(.notFound, "no receivable \(id)") }
            number = customer
            receivable = id
        }
        let customer = try CustomerRecord.forChange(number, actor: actor, toDo: "records payments of", on: connection)
        if let date = command.date {
            try DateHorizon.check(date, key: "date", side: .notFuture, on: connection)
        }
        // Locked: two payments of one customer apply one after the other.
        let open = try openReceivables(customerID: customer.id, only: receivable, arrearsOnly: false, on: connection)
        let outstanding = PaymentAllocation.outstanding(open)
        guard outstanding.fen > 0 else { throw ProtocolError(.conflict, "nothing is open on \(command.target)") }
        guard let parts = PaymentAllocation.allocate(command.amount, to: open) else {
            throw ProtocolError(.conflict, "amount \(command.amount) exceeds the \(outstanding) open on \(command.target)")
        }
        let payment = try connection.query("""
            INSERT INTO credit_payments (customer_id, dept_id, amount_fen, paid_on, note, recorded_by)
            VALUES ($1::int8, $2::int8, $3::int8, coalesce($4::date, current_date), $5::text, $6::int8) RETURNING id
            """, [customer.id, customer.departmentID, command.amount.fen, command.date?.description, command.note, actor.userID])
            .firstRow().decode("id", as: Int64.self)
        try settle(parts, customer: customer, paymentID: payment, planID: nil, on: connection)
        let applied = parts.map { "\($0.id):\($0.amount)" }.joined(separator: ",")
        let standing = try Standing.read(customerID: customer.id, on: connection)
        try Audit.record(connection, action: "credit.pay", target: "RC\(payment)", purpose: command.note ?? "",
                         detail: "\(customer.number) amount=\(command.amount) applied=\(applied)")
        return .ok("RC\(payment) applied=\(applied) \(standing.summary)")
    }

    // MARK: CREDIT PLAN

    /// `CREDIT PLAN <customer> instalments= first= [every=] [amount=] [note=]`:
    /// open arrears (oldest due first, up to `amount=`, all by default) move
    /// into equal instalments (`InstalmentSchedule`); rows
    /// `instalment=R<n> no= due= amount=`, `OK <n> plan=RP<n>`.
    static func plan(_ command: CreditPlan, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let customer = try CustomerRecord.forChange(command.customer, actor: actor, toDo: "makes repayment plans for",
                                                    on: connection)
        if customer.closed { throw ProtocolError(.conflict, "\(customer.number) is closed") }
        try DateHorizon.check(command.first, key: "first", on: connection)
        let arrears = try openReceivables(customerID: customer.id, only: nil, arrearsOnly: true, on: connection)
        let open = PaymentAllocation.outstanding(arrears)
        guard open.fen > 0 else { throw ProtocolError(.conflict, "\(customer.number) has no open arrears to plan") }
        let amount = command.amount ?? open
        guard let parts = PaymentAllocation.allocate(amount, to: arrears) else {
            throw ProtocolError(.conflict, "amount \(amount) exceeds the \(open) of open arrears of \(customer.number)")
        }
        let every = command.every ?? .month
        guard let schedule = InstalmentSchedule.instalments(total: amount, count: command.instalments, first: command.first,
                                                            every: every)
        else { throw ProtocolError.invalid("instalments", "each instalment must be at least 0.01") }
        let plan = try connection.query("""
            INSERT INTO credit_plans (customer_id, dept_id, amount_fen, instalments, first_due, every, note, created_by)
            VALUES ($1::int8, $2::int8, $3::int8, $4::int4, $5::date, $6::text, $7::text, $8::int8) RETURNING id
            """, [customer.id, customer.departmentID, amount.fen, command.instalments, command.first.description,
                  every.description, command.note, actor.userID]).firstRow().decode("id", as: Int64.self)
        try settle(parts, customer: customer, paymentID: nil, planID: plan, on: connection)
        var rows: [Row] = []
        for instalment in schedule {
            let id = try connection.query("""
                INSERT INTO credit_receivables (customer_id, dept_id, plan_id, instalment_no, amount_fen, due_on, created_by)
                VALUES ($1::int8, $2::int8, $3::int8, $4::int4, $5::int8, $6::date, $7::int8) RETURNING id
                """, [customer.id, customer.departmentID, plan, instalment.number, instalment.amount.fen,
                      instalment.due.description, actor.userID]).firstRow().decode("id", as: Int64.self)
            var row = Row()
            row.append("instalment", "R\(id)")
            row.append("no", String(instalment.number))
            row.append("due", instalment.due.description)
            row.append("amount", instalment.amount.description)
            rows.append(row)
        }
        try Audit.record(connection, action: "credit.plan", target: "RP\(plan)", purpose: command.note ?? "",
                         detail: "\(customer.number) amount=\(amount) instalments=\(command.instalments) first=\(command.first) "
                             + "every=\(every) arrears=" + parts.map { "\($0.id):\($0.amount)" }.joined(separator: ","))
        return .rows(rows, suffix: "plan=RP\(plan)")
    }

    // MARK: CREDIT LIST

    /// `CREDIT LIST [customer=] [status=] [limit=]`: receivables the caller
    /// sees, by due day.
    static func list(_ command: CreditList, on connection: PostgresConnection) throws -> Response {
        if let number = command.customer,
           try connection.query("SELECT 1 FROM customers WHERE number = $1::text", [number.description]).first == nil {
            throw Customers.notFound(number)
        }
        let rows = try connection.query("""
            SELECT 'R' || r.id AS receivable, c.number AS customer, c.name,
                   CASE WHEN r.plan_id IS NULL THEN 'arrear' ELSE 'instalment' END AS kind,
                   coalesce('RP' || r.plan_id || '/' || r.instalment_no, '') AS plan,
                   dossier.wire_money(r.amount_fen) AS amount, dossier.wire_money(r.paid_fen) AS paid,
                   dossier.wire_money(r.open_fen) AS open, to_char(r.due_on, 'YYYY-MM-DD') AS due,
                   dossier.credit_receivable_state(r.open_fen, r.planned_fen, r.due_on) AS status,
                   CASE WHEN r.open_fen > 0 THEN greatest(current_date - r.due_on, 0) ELSE 0 END::text AS days_overdue,
                   coalesce(r.note, '') AS note
              FROM credit_receivables r JOIN customers c ON c.id = r.customer_id
             WHERE ($1::text IS NULL OR c.number = $1::text)
               AND ($2::text IS NULL OR dossier.credit_receivable_state(r.open_fen, r.planned_fen, r.due_on) = $2::text
                    OR ($2::text = 'open' AND r.open_fen > 0))
             ORDER BY r.due_on, r.id
             LIMIT $3::int4
            """, [command.customer?.description, command.status?.rawValue, command.limit ?? 200]).rows
        return .rows(try rows.map {
            try Row($0, columns: ["receivable", "customer", "name", "kind", "plan", "amount", "paid", "open", "due", "status",
                                  "days_overdue", "note"])
        })
    }

    // MARK: CREDIT SHOW

    /// `CREDIT SHOW <customer>`: one row `customer=` (rating, limit,
    /// outstanding, overdue, flags), then `plan=` rows, `payment=` rows and
    /// `change=` rows (the history of the rating and the limit), oldest first.
    static func show(_ number: CustomerNumber, on connection: PostgresConnection) throws -> Response {
        guard let customer = try connection.query("""
            SELECT c.id, c.name, u.login AS owner, d.code AS dept, cd.customer_id IS NOT NULL AS details,
                   coalesce(cd.credit_rating, '') AS rating, coalesce(dossier.wire_money(cd.credit_limit_fen), '') AS credit_limit
              FROM customers c JOIN users u ON u.id = c.owner_id JOIN departments d ON d.id = c.dept_id
              LEFT JOIN customer_details cd ON cd.customer_id = c.id
             WHERE c.number = $1::text
            """, [number.description]).first
        else { throw Customers.notFound(number) }
        guard try customer.decode("details", as: Bool.self) else {
            throw ProtocolError(.denied, "\(number): only the directory entry is visible to you")
        }
        let id = try customer.decode("id", as: Int64.self)
        let standing = try Standing.read(customerID: id, on: connection)
        var head = Row()
        head.append("customer", number.description)
        for column in ["name", "owner", "dept", "rating", "credit_limit"] {
            head.append(column == "credit_limit" ? "limit" : column, try customer.decode(column, as: String.self))
        }
        head.append("outstanding", standing.outstanding)
        head.append("overdue", standing.overdue)
        head.append("oldest_overdue", standing.oldestOverdue)
        head.append("flags", standing.flags.map(\.rawValue).joined(separator: ","))
        var rows = [head]
        let plans = try connection.query("""
            SELECT 'RP' || p.id AS plan, dossier.wire_money(p.amount_fen) AS amount, p.instalments::text AS instalments,
                   to_char(p.first_due, 'YYYY-MM-DD') AS first, p.every,
                   dossier.wire_money(coalesce(sum(r.open_fen), 0)::int8) AS open,
                   CASE WHEN coalesce(sum(r.open_fen), 0) = 0 THEN 'done'
                        WHEN bool_or(r.open_fen > 0 AND r.due_on < current_date) THEN 'broken'
                        ELSE 'active' END AS status,
                   u.login AS by, coalesce(p.note, '') AS note
              FROM credit_plans p JOIN users u ON u.id = p.created_by
              LEFT JOIN credit_receivables r ON r.plan_id = p.id
             WHERE p.customer_id = $1::int8
             GROUP BY p.id, u.login ORDER BY p.id
            """, [id]).rows
        rows += try plans.map {
            try Row($0, columns: ["plan", "amount", "instalments", "first", "every", "open", "status", "by", "note"])
        }
        let payments = try connection.query("""
            SELECT 'RC' || p.id AS payment, to_char(p.paid_on, 'YYYY-MM-DD') AS date, dossier.wire_money(p.amount_fen) AS amount,
                   string_agg('R' || s.receivable_id || ':' || dossier.wire_money(s.amount_fen), ',' ORDER BY s.id) AS applied,
                   u.login AS by, coalesce(p.note, '') AS note
              FROM credit_payments p JOIN users u ON u.id = p.recorded_by
              LEFT JOIN credit_settlements s ON s.payment_id = p.id
             WHERE p.customer_id = $1::int8
             GROUP BY p.id, u.login ORDER BY p.paid_on, p.id
            """, [id]).rows
        rows += try payments.map { try Row($0, columns: ["payment", "date", "amount", "applied", "by", "note"]) }
        let changes = try connection.query("""
            SELECT h.field AS change, dossier.wire_time(h.changed_at) AS at, coalesce(h.old_value, '') AS old,
                   coalesce(h.new_value, '') AS new, h.reason, r.login AS by, coalesce(a.login, '') AS approved_by,
                   coalesce('A' || h.approval_id, '') AS approval
              FROM change_history h JOIN users r ON r.id = h.requested_by LEFT JOIN users a ON a.id = h.approved_by
             WHERE h.customer_id = $1::int8 AND h.field IN ('credit_rating', 'credit_limit')
             ORDER BY h.id
            """, [id]).rows
        rows += try changes.map {
            try Row($0, columns: ["change", "at", "old", "new", "reason", "by", "approved_by", "approval"])
        }
        return .rows(rows)
    }

    // MARK: Shared

    /// A customer's standing as the caller sees it (`dossier.credit_standing`).
    struct Standing {
        let outstanding: Money
        let overdue: Money
        let oldestOverdue: String?
        let flags: [CreditFlag]

        static func read(customerID: Int64, on connection: PostgresConnection) throws -> Standing {
            let row = try connection.query("""
                SELECT outstanding_fen, overdue_fen, to_char(oldest_overdue, 'YYYY-MM-DD') AS oldest_overdue,
                       array_to_string(flags, ',') AS flags
                  FROM dossier.credit_standing($1::int8)
                """, [customerID]).firstRow()
            let flags = try row.decode("flags", as: String.self).split(separator: ",").compactMap { CreditFlag(rawValue: String($0)) }
            return Standing(outstanding: Money(fen: try row.decode("outstanding_fen", as: Int64.self)),
                            overdue: Money(fen: try row.decode("overdue_fen", as: Int64.self)),
                            oldestOverdue: try row.decodeIfPresent("oldest_overdue", as: String.self), flags: flags)
        }

        /// `outstanding=<yuan> over_limit=yes|no overdue=yes|no`, for the OK lines.
        var summary: String {
            "outstanding=\(outstanding) over_limit=\(flags.contains(.overLimit) ? "yes" : "no") "
                + "overdue=\(flags.contains(.overdue) ? "yes" : "no")"
        }
    }

    /// The open receivables of a customer (only arrears not in a plan, or one
    /// receivable), locked for this command.
    private static func openReceivables(customerID: Int64, only: ReceivableID?, arrearsOnly: Bool,
                                        on connection: PostgresConnection) throws -> [PaymentAllocation.Open] {
        let rows = try connection.query("""
            SELECT id, to_char(due_on, 'YYYY-MM-DD') AS due, open_fen
              FROM credit_receivables
             WHERE customer_id = $1::int8 AND open_fen > 0
               AND ($2::int8 IS NULL OR id = $2::int8) AND (NOT $3::bool OR plan_id IS NULL)
             ORDER BY due_on, id
               FOR UPDATE
            """, [customerID, only?.value, arrearsOnly]).rows
        return try rows.map { row in
            guard let id = ReceivableID(try row.decode("id", as: Int64.self)),
                  let due = CalendarDate(try row.decode("due", as: String.self))
            else { throw ProtocolError(.internal, "a receivable without an id or a due day") }
            return PaymentAllocation.Open(id: id, due: due, open: Money(fen: try row.decode("open_fen", as: Int64.self)))
        }
    }

    /// Applies the parts of a payment (paid) or a plan (planned) and records them.
    private static func settle(_ parts: [PaymentAllocation.Part], customer: CustomerRecord, paymentID: Int64?, planID: Int64?,
                               on connection: PostgresConnection) throws {
        for part in parts {
            try connection.query("""
                UPDATE credit_receivables
                   SET paid_fen = paid_fen + CASE WHEN $3::int8 IS NULL THEN $2::int8 ELSE 0 END,
                       planned_fen = planned_fen + CASE WHEN $3::int8 IS NULL THEN 0 ELSE $2::int8 END
                 WHERE id = $1::int8
                """, [part.id.value, part.amount.fen, planID])
            try connection.query("""
                INSERT INTO credit_settlements (receivable_id, customer_id, dept_id, payment_id, plan_id, amount_fen)
                VALUES ($1::int8, $2::int8, $3::int8, $4::int8, $5::int8, $6::int8)
                """, [part.id.value, customer.id, customer.departmentID, paymentID, planID, part.amount.fen])
        }
    }
}
