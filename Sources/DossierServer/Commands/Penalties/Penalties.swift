import DossierDomain
import DossierProtocol
import Postgres

/// `PENALTY RULES/RECORD/LIST/WAIVE/REPORT` (RULES.md "Penalties"). What each
/// caller sees of the penalties is row-level security's decision (0007, 0011):
/// their own, their department's for managers and archivists, everything for
/// auditors and directors.
enum Penalties {
    /// The order of RULES.md's table; rules added later follow by code.
    private static let order = """
        ARRAY['LATE_FILING','MISSING_CUSTOMER_SIGNATURE','MISSING_INTERNAL_SIGNATURE','STALE_CUSTOMER',
              'OVERDUE_LOAN','LOST_OR_DAMAGED','UNAUTHORIZED_VIEW','ACCOUNT_SHARING']
        """

    static func rules(actor: Actor, on connection: PostgresConnection) throws -> Response {
        let rows = try connection.query("""
            SELECT code, amount_fen, min_fen, max_fen, auto, summary, per FROM penalty_rules
             ORDER BY array_position(\(order), code), code
            """).rows.map { row -> Row in
            var out = Row()
            out.append("code", try row.decode("code", as: String.self))
            out.append("amount", Money(fen: try row.decode("amount_fen", as: Int64.self)))
            out.append("min", Money(fen: try row.decode("min_fen", as: Int64.self)))
            out.append("max", Money(fen: try row.decode("max_fen", as: Int64.self)))
            out.append("auto", try row.decode("auto", as: Bool.self))
            out.append("summary", try row.decode("summary", as: String.self))
            out.append("per", try row.decode("per", as: String.self))
            return out
        }
        // The rules' summaries are the product's own text (migrations 0005, 0060): in the session's language.
        return .rows(rows).sentences(["summary"])
    }

    /// `PENALTY AUTO <rule> yes|no`: whether the sweep (and filing approval)
    /// detects the rule; a rule switched off may be recorded by hand.
    static func setAuto(_ command: PenaltyAuto, on connection: PostgresConnection) throws -> Response {
        guard try connection.query(
            "UPDATE penalty_rules SET auto = $2::bool, updated_at = now() WHERE code = $1::text RETURNING code",
            [command.rule.rawValue, command.enabled]).first != nil
        else { throw ProtocolError(.notFound, "no penalty rule \(command.rule)") }
        let auto = command.enabled ? "yes" : "no"
        try Audit.record(connection, action: "penalty.auto", target: command.rule.rawValue, detail: "auto=\(auto)")
        return .ok("\(command.rule) auto=\(auto)")
    }

    // MARK: Recording

    /// A penalty recorded by hand: managers and archivists for users of their
    /// department, auditors and directors for anyone; only rules that are not
    /// detected automatically; `amount` must lie within the rule's range.
    static func record(_ command: PenaltyRecord, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let rule = command.rule.rawValue
        guard let ruleRow = try connection.query(
            "SELECT amount_fen, min_fen, max_fen, auto FROM penalty_rules WHERE code = $1::text", [rule]).first
        else { throw ProtocolError(.notFound, "no penalty rule \(rule)") }
        guard try !ruleRow.decode("auto", as: Bool.self) else {
            throw ProtocolError.invalid("rule", "\(rule) is detected automatically, not recorded by hand")
        }
        let minimum = Money(fen: try ruleRow.decode("min_fen", as: Int64.self))
        let maximum = Money(fen: try ruleRow.decode("max_fen", as: Int64.self))
        if let amount = command.amount, !(minimum...maximum).contains(amount) {
            throw ProtocolError.invalid("amount", minimum == maximum
                ? "\(rule) is always \(minimum)"
                : "\(rule) allows \(minimum) to \(maximum)")
        }
        guard let person = try connection.query(
            "SELECT id, dept_id, active FROM users WHERE login = $1::text", [command.user.rawValue]).first
        else { throw ProtocolError(.notFound, "no user \(command.user)") }
        let userID = try person.decode("id", as: Int64.self)
        guard try person.decode("active", as: Bool.self) else { throw ProtocolError(.conflict, "\(command.user) has left") }
        guard userID != actor.userID else { throw ProtocolError(.denied, "nobody records a penalty against themselves") }
        // Which roles record at all is the command table's; auditors and
        // directors record company-wide, the others in their department.
        if actor.role == .manager || actor.role == .archivist,
           try person.decode("dept_id", as: Int64.self) != actor.departmentID {
            throw ProtocolError(.denied, "a \(actor.role.rawValue) records penalties of their own department only")
        }
        let dossierID = try command.ref.map { try DossierRecord.find($0, on: connection).id }
        let (id, amount) = try PenaltyLedger.charge(
            userID: userID, rule: rule, quantity: command.quantity ?? 1, amount: command.amount, dossierID: dossierID,
            note: command.note, recordedBy: actor.userID, audit: nil, on: connection)
        try Audit.record(connection, action: "penalty.record", target: id.description, purpose: command.note ?? "",
                         detail: "\(rule) \(command.user) \(amount)")
        return .ok("\(id) amount=\(amount)")
    }

    // MARK: Listing

    static func list(_ command: PenaltyList, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let userID = try command.user.map { login -> Int64 in
            guard let row = try connection.query("SELECT id FROM users WHERE login = $1::text", [login.rawValue]).first
            else { throw ProtocolError(.notFound, "no user \(login)") }
            return try row.decode("id", as: Int64.self)
        }
        let departmentID = try command.department.map { code -> Int64 in
            guard let row = try connection.query("SELECT id FROM departments WHERE code = $1::text", [code.rawValue]).first
            else { throw ProtocolError(.notFound, "no department \(code)") }
            return try row.decode("id", as: Int64.self)
        }
        let rows = try connection.query("""
            SELECT p.id, u.login, p.rule_code, to_char(p.occurred_on, 'YYYY-MM-DD') AS occurred, p.amount_fen, p.status,
                   dp.code AS dept, p.base_amount_fen, p.qty, p.multiplier, p.ordinal_in_month,
                   CASE WHEN p.loan_id IS NOT NULL THEN 'L' || p.loan_id
                        -- A dossier the caller does not see is not named (NOTFOUND elsewhere).
                        WHEN p.dossier_id IS NOT NULL THEN coalesce(d.number, 'D' || d.id, '')
                        ELSE coalesce(c.number, '') END AS ref
              FROM penalties p
              JOIN users u ON u.id = p.user_id
              JOIN departments dp ON dp.id = p.dept_id
              LEFT JOIN dossiers d ON d.id = p.dossier_id
              LEFT JOIN customers c ON c.id = p.customer_id
             WHERE ($1::int8 IS NULL OR p.user_id = $1::int8)
               AND ($2::int8 IS NULL OR p.dept_id = $2::int8)
               AND ($3::date IS NULL OR (p.occurred_on >= $3::date AND p.occurred_on < ($3::date + interval '1 month')::date))
             ORDER BY p.id
            """, [userID, departmentID, command.month?.firstDay.description]).rows
        return .rows(try rows.map { row -> Row in
            var out = Row()
            out.append("id", "P\(try row.decode("id", as: Int64.self))")
            out.append("user", try row.decode("login", as: String.self))
            out.append("rule", try row.decode("rule_code", as: String.self))
            out.append("ref", try row.decode("ref", as: String.self))
            out.append("occurred", try row.decode("occurred", as: String.self))
            out.append("amount", Money(fen: try row.decode("amount_fen", as: Int64.self)))
            out.append("status", try row.decode("status", as: String.self))
            out.append("dept", try row.decode("dept", as: String.self))
            out.append("base", Money(fen: try row.decode("base_amount_fen", as: Int64.self)))
            out.append("qty", String(try row.decode("qty", as: Int.self)))
            out.append("multiplier", String(try row.decode("multiplier", as: Int.self)))
            out.append("ordinal", String(try row.decode("ordinal_in_month", as: Int.self)))
            return out
        })
    }

    // MARK: Waivers

    /// Asks for a waiver: whoever sees the penalty; a director decides. One
    /// pending waiver per penalty; a waived penalty stays, marked waived.
    static func waive(_ command: PenaltyWaive, actor: Actor, on connection: PostgresConnection) throws -> Response {
        // The pending request is noted on the penalty itself (cleared again by a
        // rejection or withdrawal): whoever asks may not see others' approvals.
        guard let penalty = try connection.query("""
            SELECT dept_id, status, waiver_approval_id FROM penalties WHERE id = $1::int8 FOR UPDATE
            """, [command.penalty.value]).first
        else { throw ProtocolError(.notFound, "no penalty \(command.penalty)") }
        guard try penalty.decode("status", as: String.self) == "charged" else {
            throw ProtocolError(.conflict, "\(command.penalty) is already waived")
        }
        if let pending = try penalty.decode("waiver_approval_id", as: Int64?.self) {
            throw ProtocolError(.conflict, "\(command.penalty) already has a pending waiver A\(pending)")
        }
        let departmentID = try penalty.decode("dept_id", as: Int64.self)
        let chain = try ApprovalPolicy.chain(
            for: .waive, actor.approvalSubject(level: .internal, scope: .personal, departmentID: departmentID))
        let approval = try ApprovalEngine.request(
            .waive, chain: chain, departmentID: departmentID, target: .init(penaltyID: command.penalty.value),
            reason: command.reason, actor: actor, on: connection)
        try connection.query("UPDATE penalties SET waiver_approval_id = $2::int8 WHERE id = $1::int8",
                             [command.penalty.value, approval.value])
        return .ok("\(approval) pending")
    }

    /// The effect of an approved waiver: the row is marked waived (never
    /// deleted), and it stops counting towards the month's repeats from now
    /// on — penalties already issued keep their multiplier.
    static func waived(_ approval: ApprovalEngine.Pending, on connection: PostgresConnection) throws {
        guard let penaltyID = approval.penaltyID.flatMap(PenaltyID.init) else {
            throw ProtocolError(.internal, "waiver \(approval.approvalID) without its penalty")
        }
        guard let row = try connection.query("""
            UPDATE penalties SET status = 'waived', waived_at = now()
             WHERE id = $1::int8 AND status = 'charged' AND waiver_approval_id = $2::int8
            RETURNING user_id, to_char(occurred_on, 'YYYY-MM-01') AS month
            """, [penaltyID.value, approval.id]).first
        else { throw ProtocolError(.conflict, "\(penaltyID) is already waived") }
        try connection.query("""
            UPDATE penalty_month_counts SET violations = violations - 1
             WHERE user_id = $1::int8 AND month = $2::date AND violations > 0
            """, [try row.decode("user_id", as: Int64.self), try row.decode("month", as: String.self)])
        try Audit.record(connection, action: "penalty.waive", target: penaltyID.description,
                         detail: approval.approvalID.description)
    }

    /// A refused or withdrawn waiver: the penalty may be asked about again.
    static func waiverEnded(_ approval: ApprovalEngine.Pending, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE penalties SET waiver_approval_id = NULL
             WHERE id = $1::int8 AND waiver_approval_id = $2::int8 AND status = 'charged'
            """, [approval.penaltyID, approval.id])
    }

    // MARK: Report

    /// Per department and user for one month: penalties charged (not waived)
    /// and their total, waived ones, and the users whose month is flagged for a
    /// performance deduction (`RepeatEscalation`). Department rows first
    /// (`user=""`), then that department's users.
    static func report(month: YearMonth, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let rows = try connection.query("""
            SELECT dp.code AS dept, u.login,
                   (array_agg(p.staff_line ORDER BY p.id DESC))[1] AS line,
                   count(*) FILTER (WHERE p.status = 'charged')::int8 AS charged,
                   coalesce(sum(p.amount_fen) FILTER (WHERE p.status = 'charged'), 0)::int8 AS amount,
                   count(*) FILTER (WHERE p.status = 'waived')::int8 AS waived
              FROM penalties p
              JOIN users u ON u.id = p.user_id
              JOIN departments dp ON dp.id = p.dept_id
             WHERE p.occurred_on >= $1::date AND p.occurred_on <= $2::date
             GROUP BY dp.code, u.login
             ORDER BY dp.code, u.login
            """, [month.firstDay.description, month.lastDay.description]).rows
        struct Tally {
            var charged = 0
            var amount = Money.zero
            var waived = 0
            var flagged = 0

            mutating func add(_ other: Tally) {
                charged += other.charged; amount = amount + other.amount; waived += other.waived; flagged += other.flagged
            }

            func append(to row: inout Row) {
                row.append("count", String(charged))
                row.append("amount", amount)
                row.append("waived", String(waived))
                row.append("flagged", String(flagged))
            }
        }
        var departments: [(code: String, total: Tally, users: [Row])] = []
        for row in rows {
            let code = try row.decode("dept", as: String.self)
            let line = StaffLine(rawValue: try row.decode("line", as: String.self)) ?? .sales
            var tally = Tally(
                charged: try row.decode("charged", as: Int.self), amount: Money(fen: try row.decode("amount", as: Int64.self)),
                waived: try row.decode("waived", as: Int.self))
            tally.flagged = RepeatEscalation.flagsPerformanceDeduction(violationsInMonth: tally.charged, line: line) ? 1 : 0
            var user = Row()
            user.append("dept", code)
            user.append("user", try row.decode("login", as: String.self))
            user.append("line", line.rawValue)
            tally.append(to: &user)
            if departments.last?.code != code { departments.append((code, Tally(), [])) }
            departments[departments.count - 1].total.add(tally)
            departments[departments.count - 1].users.append(user)
        }
        return .rows(departments.flatMap { department -> [Row] in
            var total = Row()
            total.append("dept", department.code)
            total.append("user", "")
            total.append("line", "")
            department.total.append(to: &total)
            return [total] + department.users
        })
    }
}
