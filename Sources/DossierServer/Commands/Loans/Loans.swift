import DossierDomain
import DossierProtocol
import Postgres

/// 借阅: loans of paper dossiers. Request → approval by the level's approver →
/// the owning department's archivist checks it out (the due time starts) →
/// the archivist checks the return. At most one active loan per dossier: a
/// unique index decides races, whoever writes.
enum Loans {
    static func request(_ command: LoanRequest, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let dossier = try RequestTarget.find(command.ref, on: connection)
        switch dossier.status {
        case "filed": break
        case "on_loan": throw ProtocolError(.conflict, "\(dossier.reference) is on loan")
        default: throw ProtocolError(.conflict, "\(dossier.reference) is \(dossier.status); only filed dossiers are lent")
        }
        guard let rule = dossier.rule else { throw ProtocolError(.internal, "no loan rule for level \(dossier.level)") }
        let decision: LoanPolicy.Decision
        do {
            decision = try LoanPolicy.decide(rule, mode: command.mode, seconds: command.period.map(seconds))
        } catch {
            throw refusal(error, dossier.reference, period: command.period)
        }
        let chain = try ApprovalPolicy.chain(for: .loan, dossier.policySubject(actor))
        // The loan, its approval request (with its audit row) and the link, in one call (0110).
        let loanID = try connection.query("""
            SELECT loan_id FROM dossier.loan_request($1::int8, $2::int8, $3::int8, $4::text, $5::text, $6::int8, $7::text[])
            """, [dossier.id, dossier.departmentID, actor.userID, command.purpose, decision.mode.rawValue,
                  Int64(decision.seconds), ApprovalEngine.arrayLiteral(chain)]).firstRow().decode("loan_id", as: Int64.self)
        return .ok("L\(loanID) pending")
    }

    /// The dossier a loan is asked for, with the rule of its level, found by
    /// `D<n>` or archive number as the caller sees it (`dossier.loan_request_target`,
    /// 0110): locked when the caller may change it, else read, like
    /// `DossierRecord.find`, but only the fields a request needs.
    struct RequestTarget {
        let id: Int64
        let departmentID: Int64
        let level: Level
        let scope: Scope
        let status: String
        let number: String?
        /// Nil when the level has no rule row.
        let rule: LoanRule?

        var reference: String { number ?? "D\(id)" }

        static func find(_ ref: DossierRef, on connection: PostgresConnection) throws -> RequestTarget {
            guard let row = try connection.query(
                "SELECT * FROM dossier.loan_request_target($1::int8, $2::text)", [ref.draftID, ref.archiveNumber]).first
            else { throw ProtocolError(.notFound, "no dossier \(ref)") }
            return RequestTarget(
                id: try row.decode("id", as: Int64.self),
                departmentID: try row.decode("dept_id", as: Int64.self),
                level: Level(rawValue: try row.decode("level", as: String.self)) ?? .topSecret,
                scope: Scope(rawValue: try row.decode("scope", as: String.self)) ?? .company,
                status: try row.decode("status", as: String.self),
                number: try row.decode("number", as: String?.self),
                rule: try Loans.rule(row))
        }

        /// What the approval chain of the request depends on.
        func policySubject(_ actor: Actor) -> ApprovalPolicy.Subject {
            actor.approvalSubject(level: level, scope: scope, departmentID: departmentID)
        }
    }

    /// The loan, as the caller may see it, locked for a change, with the rule
    /// of its dossier's level.
    struct Record {
        let id: Int64
        let dossierID: Int64
        let departmentID: Int64
        let borrowerID: Int64
        let status: String
        let level: Level
        let reference: String
        /// Nil when the level has no rule row.
        let rule: LoanRule?

        /// The rule, which every level has unless the table was emptied.
        func requireRule() throws -> LoanRule {
            guard let rule else { throw ProtocolError(.internal, "no loan rule for level \(level)") }
            return rule
        }
    }

    /// Locked when the caller may change it (the write policy grants the
    /// lock), else read; one call (`dossier.loan_for_change`, 0110).
    static func find(_ loan: LoanID, on connection: PostgresConnection) throws -> Record {
        guard let row = try connection.query("SELECT * FROM dossier.loan_for_change($1::int8)", [loan.value]).first
        else { throw ProtocolError(.notFound, "no loan \(loan)") }
        return try record(row)
    }

    /// The loan of a row with `loan_for_change`'s columns.
    private static func record(_ row: PostgresRow) throws -> Record {
        Record(
            id: try row.decode("id", as: Int64.self), dossierID: try row.decode("dossier_id", as: Int64.self),
            departmentID: try row.decode("dept_id", as: Int64.self), borrowerID: try row.decode("borrower_id", as: Int64.self),
            status: try row.decode("status", as: String.self),
            level: Level(rawValue: try row.decode("level", as: String.self)) ?? .topSecret,
            reference: try row.decode("reference", as: String.self),
            rule: try Self.rule(row))
    }

    /// Check-out and return are the owning department's archivist's.
    private static func requireArchivist(_ loan: Record, _ actor: Actor) throws {
        guard actor.role == .archivist, actor.departmentID == loan.departmentID else {
            throw ProtocolError(.denied, "only an archivist of the owning department hands out and takes back L\(loan.id)")
        }
    }

    /// LOAN CHECKOUT's one statement: the loan as `loan_for_change` reads it
    /// and, when it is approved and the actor an archivist of its department,
    /// handed out (the loan out, the dossier on loan, the audit row; 0153). The
    /// actor is the transaction's (`begin_command`'s settings, as `Actor` has
    /// it), so the statement needs nothing the daemon learns in the
    /// transaction and travels with BEGIN and COMMIT as a whole command.
    static func checkoutStatement(_ id: LoanID) -> PipelinedStatement {
        PipelinedStatement("""
            SELECT * FROM dossier.loan_checkout_by($1::int8, dossier.actor_user_id(), dossier.actor_role(),
                                                   dossier.actor_dept_id())
            """, [id.value])
    }

    /// The answer to LOAN CHECKOUT, decided on the loan as read. The function
    /// wrote only in the case answered `OK`: every refusal here follows a call
    /// that changed nothing (the same checks, in SQL).
    static func checkoutResponse(_ id: LoanID, actor: Actor, answer: PostgresResult) throws -> Response {
        guard let row = answer.first else { throw ProtocolError(.notFound, "no loan \(id)") }
        let loan = try record(row)
        try requireArchivist(loan, actor)
        switch loan.status {
        case "approved": break
        // A second check-out of the same loan: say what happened, not what was needed.
        case "out": throw ProtocolError(.conflict, "\(id) is already checked out")
        default: throw ProtocolError(.conflict, "\(id) is \(wireStatus(loan.status)); it must be approved")
        }
        _ = try loan.requireRule()
        guard let due = try row.decode("due", as: String?.self)
        else { throw PostgresError(kind: .client, message: "expected a row, got none (UPDATE 0)") }
        return .ok("\(id) due=\(due)")
    }

    /// LOAN RETURN's call: the loan as `loan_for_change` reads it and, when it
    /// is out and the actor an archivist of its department, returned and its
    /// dossier filed again (0153); a complete return's audit row too, an
    /// incomplete one's after its penalty. The actor as in `checkoutStatement`.
    static func giveBackStatement(_ command: LoanReturn) -> PipelinedStatement {
        PipelinedStatement("""
            SELECT * FROM dossier.loan_give_back_by($1::int8, dossier.actor_user_id(), dossier.actor_role(),
                                                    dossier.actor_dept_id(), $2::bool, $3::text, $4::text)
            """, [command.loan.value, command.isComplete, command.note, command.isComplete ? "complete" : nil])
    }

    /// A complete return is nothing but its call: a whole command, answered
    /// from the loan as read (the call wrote only in the case answered `OK`).
    static func completeReturnResponse(_ command: LoanReturn, actor: Actor, answer: PostgresResult) throws -> Response {
        _ = try returned(command, actor: actor, answer: answer)
        return .ok(command.loan.description)
    }

    static func giveBack(_ command: LoanReturn, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let statement = giveBackStatement(command)
        let loan = try returned(command, actor: actor, answer: try connection.query(statement.sql, statement.params))
        guard !command.isComplete else { return .ok(command.loan.description) }
        // An incomplete return: the answer names what the loss cost the borrower.
        let (penalty, amount) = try PenaltyLedger.charge(
            userID: loan.borrowerID, rule: "LOST_OR_DAMAGED", dossierID: loan.dossierID, loanID: loan.id,
            note: command.note, recordedBy: actor.userID, on: connection)
        try Audit.record(connection, action: "loan.return", target: command.loan.description, detail: "incomplete")
        return .ok("\(command.loan) penalty=\(penalty) amount=\(amount)")
    }

    /// The loan `loan_give_back_by` read, once the daemon allows what the call
    /// did: its checks, in the order of its messages. A refusal follows a call
    /// that changed nothing.
    private static func returned(_ command: LoanReturn, actor: Actor, answer: PostgresResult) throws -> Record {
        guard let row = answer.first else { throw ProtocolError(.notFound, "no loan \(command.loan)") }
        let loan = try record(row)
        try requireArchivist(loan, actor)
        guard loan.status == "out" else { throw ProtocolError(.conflict, "\(command.loan) is \(wireStatus(loan.status)), not checked out") }
        guard try row.decode("returned", as: Bool.self)
        else { throw PostgresError(kind: .client, message: "expected a row, got none (UPDATE 0)") }
        return loan
    }

    static func extend(_ command: LoanExtend, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let loan = try find(command.loan, on: connection)
        guard loan.borrowerID == actor.userID else { throw ProtocolError(.denied, "only the borrower extends \(command.loan)") }
        guard loan.status == "out" else { throw ProtocolError(.conflict, "\(command.loan) is \(wireStatus(loan.status)), not checked out") }
        let rule = try loan.requireRule()
        let extra: Int
        do { extra = try LoanPolicy.extend(rule, seconds: seconds(command.period)) } catch { throw refusal(error, loan.reference, period: command.period) }
        // One extension at a time (the unique index approvals_one_pending_extension decides races).
        if let pending = try connection.query(
            "SELECT id FROM approvals WHERE loan_id = $1::int8 AND kind = 'extend' AND status = 'pending'", [loan.id]).first {
            throw ProtocolError(.conflict, "\(command.loan) already has a pending extension A\(try pending.decode("id", as: Int64.self))")
        }
        let dossier = try DossierRecord.find(id: loan.dossierID, on: connection)
        let chain = try ApprovalPolicy.chain(for: .extend, dossier.policySubject(actor))
        // The extension counts from the due time it extends (`from`): the
        // approval moves the due time to `from + seconds`, never further.
        let payload = try connection.query(
            "SELECT jsonb_build_object('seconds', $2::int8, 'from', due_at)::text AS payload FROM loans WHERE id = $1::int8",
            [loan.id, Int64(extra)]).firstRow().decode("payload", as: String.self)
        let approval = try ApprovalEngine.request(
            .extend, chain: chain, departmentID: loan.departmentID, target: .init(dossierID: loan.dossierID, loanID: loan.id),
            payload: payload, reason: command.reason, actor: actor, on: connection)
        return .ok("\(approval) pending")
    }

    // MARK: Approval effects

    /// APPROVE of a loan request's last step in one call
    /// (`dossier.approval_approve_loan`, 0152): the decision, the approval, the
    /// loan approved and the audit row; it returns what stands in the way, or
    /// the loan and its rule, which the request must still fit
    /// (`requireRuleNow`). Any refusal here rolls all of it back.
    static func approveLast(_ approval: ApprovalEngine.Pending, comment: String?, actor: Actor,
                            on connection: PostgresConnection) throws {
        let row = try connection.query("""
            SELECT * FROM dossier.approval_approve_loan($1::int8, $2::int4, $3::int8, $4::text, $5::int8, $6::text)
            """, [approval.id, approval.currentStep, actor.userID, comment, approval.loanID,
                  approval.subject.level.rawValue]).firstRow()
        if let obstacle = try row.decode("obstacle", as: String?.self) {
            throw ProtocolError(.conflict, "\(approval.approvalID) cannot be carried out now: \(obstacle)")
        }
        // All NULL when the loan is not there.
        try requireRule(approval, try row.decode("mode", as: String?.self) == nil ? nil : row)
    }

    static func approved(_ approval: ApprovalEngine.Pending, on connection: PostgresConnection) throws {
        switch approval.kind {
        case .loan:
            try requireRuleNow(approval, on: connection)
            try connection.query(
                "UPDATE loans SET status = 'approved', approved_at = now() WHERE id = $1::int8 AND status = 'requested'",
                [approval.loanID])
        case .extend:
            // From the due time the request extended (requests from before
            // 0030: the current one) by the period asked, never past the level's
            // longest loan from there, and for a same-day level not past that day.
            let extended = try connection.query("""
                UPDATE loans l
                   SET due_at = (
                        SELECT CASE WHEN r.same_day THEN least(x.due, date_trunc('day', l.checked_out_at) + interval '1 day')
                                    ELSE x.due END
                          FROM dossiers d
                          JOIN loan_rules r ON r.level = d.level
                         CROSS JOIN LATERAL (SELECT coalesce(($2::jsonb ->> 'from')::timestamptz, l.due_at) AS due_from) f
                         CROSS JOIN LATERAL (SELECT least(f.due_from + make_interval(secs => ($2::jsonb ->> 'seconds')::int8),
                                                          f.due_from + coalesce(r.max_duration, interval '0')) AS due) x
                         WHERE d.id = l.dossier_id)
                 WHERE l.id = $1::int8 AND l.status = 'out'
                """, [approval.loanID, approval.payload])
            guard extended.affectedRows == 1 else { throw ProtocolError(.conflict, "L\(approval.loanID ?? 0) is no longer out") }
        default:
            throw ProtocolError(.internal, "not a loan approval")
        }
    }

    /// The request must still fit the rule of the dossier's level *now*: a
    /// week asked for while it was `internal` is not handed out once it is
    /// `secret` (4 hours), whoever approves.
    private static func requireRuleNow(_ approval: ApprovalEngine.Pending, on connection: PostgresConnection) throws {
        // The loan and the rule of the level in one statement.
        try requireRule(approval, try connection.query("""
            SELECT l.mode, extract(epoch FROM l.requested_duration)::int8 AS seconds,
                   r.lendable, r.mode AS rule_mode, extract(epoch FROM r.max_duration)::int8 AS rule_seconds, r.same_day
              FROM loans l LEFT JOIN loan_rules r ON r.level = $2::text
             WHERE l.id = $1::int8
            """, [approval.loanID, approval.subject.level.rawValue]).first)
    }

    /// `requireRuleNow`'s decision on the loan and its rule as read (`mode`,
    /// `seconds`, `lendable`, `rule_mode`, `rule_seconds`, `same_day`; nil
    /// when the loan is not there).
    private static func requireRule(_ approval: ApprovalEngine.Pending, _ row: PostgresRow?) throws {
        guard let row else { throw ProtocolError(.internal, "loan approval \(approval.approvalID) without its loan") }
        guard let rule = try Self.rule(row, prefix: "rule_") else {
            throw ProtocolError(.internal, "no loan rule for level \(approval.subject.level)")
        }
        let mode = LoanMode(rawValue: try row.decode("mode", as: String.self))
        let seconds = try row.decode("seconds", as: Int.self)
        do {
            _ = try LoanPolicy.decide(rule, mode: mode, seconds: seconds)
        } catch {
            throw ProtocolError(.conflict,
                "\(approval.approvalID) no longer fits the loan rule of a \(approval.subject.level.rawValue) dossier; reject it")
        }
    }

    static func ended(_ approval: ApprovalEngine.Pending, status: String, on connection: PostgresConnection) throws {
        guard approval.kind == .loan else { return }  // a refused extension leaves the loan as it is
        try connection.query("UPDATE loans SET status = $2::text WHERE id = $1::int8 AND status = 'requested'",
                             [approval.loanID, status])
    }

    // MARK: Reading

    static func show(_ id: LoanID, on connection: PostgresConnection) throws -> Response {
        let rows = try connection.query(listing + " WHERE l.id = $1::int8", [id.value]).rows
        guard let row = rows.first else { throw ProtocolError(.notFound, "no loan \(id)") }
        return .rows([try Self.row(row)])
    }

    static func list(_ command: LoanList, on connection: PostgresConnection) throws -> Response {
        var status: String? = nil
        var overdue = false
        switch command.status {
        case .none: break
        case .overdue: overdue = true
        case .status(let wanted): status = dbStatus(wanted)
        }
        let rows = try connection.query(listing + """
             WHERE ($1::text IS NULL OR l.status = $1::text)
               AND (NOT $2::bool OR (l.status = 'out' AND l.due_at < now()))
               AND ($3::text IS NULL OR b.login = $3::text)
             ORDER BY l.id LIMIT 1000
            """, [status, overdue, command.borrower?.rawValue]).rows
        return .rows(try rows.map(row))
    }

    private static let listing = """
        SELECT l.id, coalesce(d.number, 'D' || d.id) AS ref, b.login AS borrower, l.status, l.mode, l.purpose,
               coalesce(dossier.wire_time(l.due_at), '') AS due,
               (l.status = 'out' AND l.due_at < now()) AS overdue,
               coalesce(dossier.wire_time(l.checked_out_at), '') AS checked_out,
               coalesce(dossier.wire_time(l.returned_at), '') AS returned,
               CASE l.return_complete WHEN true THEN 'yes' WHEN false THEN 'no' ELSE '' END AS complete
          FROM loans l JOIN dossiers d ON d.id = l.dossier_id JOIN users b ON b.id = l.borrower_id
        """

    private static func row(_ row: PostgresRow) throws -> Row {
        var out = Row()
        out.append("loan", "L\(try row.decode("id", as: Int64.self))")
        out.append("ref", try row.decode("ref", as: String.self))
        out.append("borrower", try row.decode("borrower", as: String.self))
        out.append("status", wireStatus(try row.decode("status", as: String.self)))
        out.append("mode", try row.decode("mode", as: String.self))
        out.append("due", try row.decode("due", as: String.self))
        out.append("overdue", try row.decode("overdue", as: Bool.self))
        for column in ["purpose", "checked_out", "returned", "complete"] {
            out.append(column, try row.decode(column, as: String.self))
        }
        return out
    }

    // MARK: Helpers

    /// The rule of a row that carries one (`lendable`, `same_day`, and `mode`
    /// and `seconds` after `prefix`); nil when the row has none (NULL `lendable`).
    private static func rule(_ row: PostgresRow, prefix: String = "") throws -> LoanRule? {
        guard let lendable = try row.decode("lendable", as: Bool?.self) else { return nil }
        return LoanRule(
            lendable: lendable,
            mode: try row.decode(prefix + "mode", as: String?.self).flatMap(LoanMode.init(rawValue:)),
            maximumSeconds: try row.decode(prefix + "seconds", as: Int?.self),
            sameDay: try row.decode("same_day", as: Bool.self))
    }

    private static func seconds(_ period: LoanPeriod) -> Int {
        switch period {
        case .days(let days): days * 86_400
        case .hours(let hours): hours * 3_600
        }
    }

    /// A too long period is refused by the key the user gave it as (`days=` or
    /// `hours=`; without either a loan runs for the level's longest, so
    /// `period` only names a default that cannot be too long).
    private static func refusal(_ error: LoanPolicy.Refusal, _ reference: String, period: LoanPeriod?) -> ProtocolError {
        switch error {
        case .neverLent: ProtocolError(.denied, "\(reference): top_secret dossiers are never lent")
        case .modeNotAllowed(let allowed): ProtocolError(.denied, "\(reference) may only be lent as \(allowed.rawValue)")
        case .tooLong(let maximum):
            .invalid(period?.key ?? "period", maximum % 86_400 == 0
                ? "at most \(maximum / 86_400) days for this level" : "at most \(maximum / 3_600) hours for this level")
        }
    }

    /// Database states to wire states (PROTOCOL-NOTES: pending, checked_out).
    static func wireStatus(_ status: String) -> String {
        switch status {
        case "requested": "pending"
        case "out": "checked_out"
        default: status
        }
    }

    private static func dbStatus(_ status: LoanStatus) -> String {
        switch status {
        case .pending: "requested"
        case .checkedOut: "out"
        default: status.rawValue
        }
    }
}
