import DossierDomain
import DossierProtocol
import Postgres

/// 借阅: loans of paper dossiers. Request → approval by the level's approver →
/// the owning department's archivist checks it out (the due time starts) →
/// the archivist checks the return. At most one active loan per dossier: a
/// unique index decides races, whoever writes.
enum Loans {
    static func request(_ command: LoanRequest, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let dossier = try DossierRecord.find(command.ref, on: connection, lock: true)
        switch dossier.status {
        case "filed": break
        case "on_loan": throw ProtocolError(.conflict, "\(dossier.reference) is on loan")
        default: throw ProtocolError(.conflict, "\(dossier.reference) is \(dossier.status); only filed dossiers are lent")
        }
        let rule = try rule(for: dossier.level, on: connection)
        let decision: LoanPolicy.Decision
        do {
            decision = try LoanPolicy.decide(rule, mode: command.mode, seconds: command.period.map(seconds))
        } catch {
            throw refusal(error, dossier.reference)
        }
        let loanID = try connection.query("""
            INSERT INTO loans (dossier_id, dept_id, borrower_id, purpose, mode, requested_duration)
            VALUES ($1::int8, $2::int8, $3::int8, $4::text, $5::text, make_interval(secs => $6::int8))
            RETURNING id
            """, [dossier.id, dossier.departmentID, actor.userID, command.purpose, decision.mode.rawValue,
                  Int64(decision.seconds)]).firstRow().decode("id", as: Int64.self)
        let chain = try ApprovalPolicy.chain(for: .loan, dossier.policySubject(actor))
        let approval = try ApprovalEngine.request(
            .loan, chain: chain, departmentID: dossier.departmentID, target: .init(dossierID: dossier.id, loanID: loanID),
            reason: command.purpose, actor: actor, on: connection)
        try connection.query("UPDATE loans SET approval_id = $2::int8 WHERE id = $1::int8", [loanID, approval.value])
        return .ok("L\(loanID) pending")
    }

    /// The loan, as the caller may see it, locked for a change.
    struct Record {
        let id: Int64
        let dossierID: Int64
        let departmentID: Int64
        let borrowerID: Int64
        let status: String
        let level: Level
        let reference: String
    }

    static func find(_ loan: LoanID, on connection: PostgresConnection, lock: Bool = false) throws -> Record {
        let select = """
            SELECT l.id, l.dossier_id, l.dept_id, l.borrower_id, l.status, d.level, coalesce(d.number, 'D' || d.id) AS reference
              FROM loans l JOIN dossiers d ON d.id = l.dossier_id
             WHERE l.id = $1::int8
            """
        // Locked when the caller may change it (the write policy grants the lock).
        let locked = lock ? try connection.query(select + " FOR UPDATE OF l", [loan.value]).first : nil
        guard let row = try locked ?? connection.query(select, [loan.value]).first
        else { throw ProtocolError(.notFound, "no loan \(loan)") }
        return Record(
            id: try row.decode("id", as: Int64.self), dossierID: try row.decode("dossier_id", as: Int64.self),
            departmentID: try row.decode("dept_id", as: Int64.self), borrowerID: try row.decode("borrower_id", as: Int64.self),
            status: try row.decode("status", as: String.self),
            level: Level(rawValue: try row.decode("level", as: String.self)) ?? .topSecret,
            reference: try row.decode("reference", as: String.self))
    }

    /// Check-out and return are the owning department's archivist's.
    private static func requireArchivist(_ loan: Record, _ actor: Actor) throws {
        guard actor.role == .archivist, actor.departmentID == loan.departmentID else {
            throw ProtocolError(.denied, "only an archivist of the owning department hands out and takes back L\(loan.id)")
        }
    }

    static func checkout(_ id: LoanID, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let loan = try find(id, on: connection, lock: true)
        try requireArchivist(loan, actor)
        guard loan.status == "approved" else { throw ProtocolError(.conflict, "\(id) is \(wireStatus(loan.status)); it must be approved") }
        let rule = try rule(for: loan.level, on: connection)
        let due = try connection.query("""
            UPDATE loans
               SET status = 'out', checked_out_at = now(), checked_out_by = $2::int8,
                   due_at = CASE WHEN $3::bool THEN least(now() + requested_duration, date_trunc('day', now()) + interval '1 day')
                                 ELSE now() + requested_duration END
             WHERE id = $1::int8
            RETURNING dossier.wire_time(due_at) AS due
            """, [loan.id, actor.userID, rule.sameDay]).firstRow().decode("due", as: String.self)
        try connection.query("UPDATE dossiers SET status = 'on_loan', updated_at = now() WHERE id = $1::int8", [loan.dossierID])
        try Audit.record(connection, action: "loan.checkout", target: id.description, detail: loan.reference)
        return .ok("\(id) due=\(due)")
    }

    static func giveBack(_ command: LoanReturn, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let loan = try find(command.loan, on: connection, lock: true)
        try requireArchivist(loan, actor)
        guard loan.status == "out" else { throw ProtocolError(.conflict, "\(command.loan) is \(wireStatus(loan.status)), not checked out") }
        let complete = command.complete ?? true
        try connection.query("""
            UPDATE loans SET status = 'returned', returned_at = now(), returned_by = $2::int8, return_complete = $3::bool,
                             return_note = $4::text
             WHERE id = $1::int8
            """, [loan.id, actor.userID, complete, command.note])
        try connection.query("UPDATE dossiers SET status = 'filed', updated_at = now() WHERE id = $1::int8 AND status = 'on_loan'",
                             [loan.dossierID])
        var answer = command.loan.description
        if !complete {
            // The answer names what the loss cost the borrower.
            let (penalty, amount) = try PenaltyLedger.charge(
                userID: loan.borrowerID, rule: "LOST_OR_DAMAGED", dossierID: loan.dossierID, loanID: loan.id,
                note: command.note, recordedBy: actor.userID, on: connection)
            answer += " penalty=\(penalty) amount=\(amount)"
        }
        try Audit.record(connection, action: "loan.return", target: command.loan.description,
                         detail: complete ? "complete" : "incomplete")
        return .ok(answer)
    }

    static func extend(_ command: LoanExtend, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let loan = try find(command.loan, on: connection, lock: true)
        guard loan.borrowerID == actor.userID else { throw ProtocolError(.denied, "only the borrower extends \(command.loan)") }
        guard loan.status == "out" else { throw ProtocolError(.conflict, "\(command.loan) is \(wireStatus(loan.status)), not checked out") }
        let rule = try rule(for: loan.level, on: connection)
        let extra: Int
        do { extra = try LoanPolicy.extend(rule, seconds: seconds(command.period)) } catch { throw refusal(error, loan.reference) }
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
        guard let row = try connection.query("""
            SELECT l.mode, extract(epoch FROM l.requested_duration)::int8 AS seconds FROM loans l WHERE l.id = $1::int8
            """, [approval.loanID]).first
        else { throw ProtocolError(.internal, "loan approval \(approval.approvalID) without its loan") }
        let rule = try rule(for: approval.subject.level, on: connection)
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

    private static func rule(for level: Level, on connection: PostgresConnection) throws -> LoanRule {
        guard let row = try connection.query("""
            SELECT lendable, mode, extract(epoch FROM max_duration)::int8 AS seconds, same_day FROM loan_rules WHERE level = $1::text
            """, [level.rawValue]).first
        else { throw ProtocolError(.internal, "no loan rule for level \(level)") }
        return LoanRule(
            lendable: try row.decode("lendable", as: Bool.self),
            mode: try row.decode("mode", as: String?.self).flatMap(LoanMode.init(rawValue:)),
            maximumSeconds: try row.decode("seconds", as: Int?.self),
            sameDay: try row.decode("same_day", as: Bool.self))
    }

    private static func seconds(_ period: LoanPeriod) -> Int {
        switch period {
        case .days(let days): days * 86_400
        case .hours(let hours): hours * 3_600
        }
    }

    private static func refusal(_ error: LoanPolicy.Refusal, _ reference: String) -> ProtocolError {
        switch error {
        case .neverLent: ProtocolError(.denied, "\(reference): top_secret dossiers are never lent")
        case .modeNotAllowed(let allowed): ProtocolError(.denied, "\(reference) may only be lent as \(allowed.rawValue)")
        case .tooLong(let maximum):
            maximum % 86_400 == 0
                ? .invalid("period", "at most \(maximum / 86_400) days for this level")
                : .invalid("period", "at most \(maximum / 3_600) hours for this level")
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
