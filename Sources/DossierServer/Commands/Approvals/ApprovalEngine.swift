import DossierDomain
import DossierProtocol
import Postgres

/// One approval mechanism for every kind of request: a chain of steps from
/// `ApprovalPolicy`, decisions kept for ever, and the change applied by the
/// last approval in the same transaction.
enum ApprovalEngine {
    /// What a request acts on (PROTOCOL.md: an approval row's `target`).
    struct Target {
        var dossierID: Int64? = nil
        var customerID: Int64? = nil
        var loanID: Int64? = nil
        var penaltyID: Int64? = nil
    }

    /// Files a request and returns its id: the approval, its steps and its
    /// audit row in one call (`dossier.approval_request`, 0110).
    static func request(
        _ kind: ApprovalKind, chain: [ApproverRole], departmentID: Int64, target: Target,
        payload: String = "{}", reason: String? = nil, actor: Actor, on connection: PostgresConnection
    ) throws -> ApprovalID {
        let id = try connection.query("""
            SELECT dossier.approval_request($1::text, $2::int8, $3::int8, $4::int8, $5::int8, $6::int8, $7::int8,
                                            $8::jsonb, $9::text, $10::text[]) AS id
            """, [kind.rawValue, departmentID, actor.userID, target.dossierID, target.customerID, target.loanID,
                  target.penaltyID, payload, reason, arrayLiteral(chain)]).firstRow().decode("id", as: Int64.self)
        return ApprovalID(id)!
    }

    /// A chain as a `text[]` parameter.
    static func arrayLiteral(_ chain: [ApproverRole]) -> String {
        "{" + chain.map(\.rawValue).joined(separator: ",") + "}"
    }

    /// A change made on the caller's own authority (they are the approver the
    /// chain would ask): recorded as an approval that is approved from the
    /// start, with no one else's decision, so the change record still names it.
    static func recordApplied(
        _ kind: ApprovalKind, approver: ApproverRole, departmentID: Int64, target: Target,
        payload: String, reason: String?, actor: Actor, on connection: PostgresConnection
    ) throws -> ApprovalID {
        let id = try connection.query("""
            INSERT INTO approvals (kind, status, dept_id, requester_id, dossier_id, customer_id, payload, reason, step_count,
                                   decided_at)
            VALUES ($1::text, 'approved', $2::int8, $3::int8, $4::int8, $5::int8, $6::jsonb, $7::text, 1, now())
            RETURNING id
            """, [kind.rawValue, departmentID, actor.userID, target.dossierID, target.customerID, payload, reason])
            .firstRow().decode("id", as: Int64.self)
        try connection.query("""
            INSERT INTO approval_steps (approval_id, step_no, approver_role, approver_dept_id, requester_id)
            VALUES ($1::int8, 1, $2::text, $3::int8, $4::int8)
            """, [id, approver.rawValue, approver == .manager ? departmentID : nil, actor.userID])
        return ApprovalID(id)!
    }

    /// The state of a pending request, locked for a decision.
    struct Pending {
        let id: Int64
        let kind: ApprovalKind
        let status: String
        let departmentID: Int64
        let requesterID: Int64
        let currentStep: Int
        let stepCount: Int
        let dossierID: Int64?
        let customerID: Int64?
        let loanID: Int64?
        let penaltyID: Int64?
        let payload: String
        let reason: String?
        let approverRole: ApproverRole
        let approverDepartmentID: Int64?
        /// What the chain depends on, as it is now (not as it was requested).
        let subject: ApprovalPolicy.Subject
        /// Why the system closed it (status `cancelled`).
        let closedReason: String?

        var approvalID: ApprovalID { ApprovalID(id)! }
    }

    static func lock(_ approval: ApprovalID, on connection: PostgresConnection) throws -> Pending {
        let select = """
            SELECT a.id, a.kind, a.status, a.dept_id, a.requester_id, a.current_step, a.step_count, a.dossier_id,
                   a.customer_id, a.loan_id, a.penalty_id, a.payload::text AS payload, a.reason,
                   s.approver_role, s.approver_dept_id, d.level, d.scope,
                   r.role AS requester_role, r.dept_id AS requester_dept_id,
                   a.closed_reason
              FROM approvals a JOIN approval_steps s ON s.approval_id = a.id AND s.step_no = a.current_step
              JOIN users r ON r.id = a.requester_id
              LEFT JOIN dossiers d ON d.id = a.dossier_id
             WHERE a.id = $1::int8
            """
        // Locked when the caller may decide or withdraw it (the write policy
        // grants the lock), else read so that the refusal says why (DENIED).
        guard let row = try connection.query(select + " FOR UPDATE OF a", [approval.value]).first
                ?? connection.query(select, [approval.value]).first
        else { throw ProtocolError(.notFound, "no approval \(approval)") }
        let departmentID = try row.decode("dept_id", as: Int64.self)
        let requesterRole = Role(rawValue: try row.decode("requester_role", as: String.self)) ?? .rep
        // Requests without a dossier (customer changes, waivers) are asked for
        // as internal and personal; a dossier hidden from the caller counts as
        // top_secret, which asks the most.
        let hasDossier = try row.decode("dossier_id", as: Int64?.self) != nil
        let level = try row.decode("level", as: String?.self).flatMap(Level.init(rawValue:)) ?? (hasDossier ? .topSecret : .internal)
        let scope = try row.decode("scope", as: String?.self).flatMap(Scope.init(rawValue:)) ?? (hasDossier ? .company : .personal)
        let requesterDepartmentID = try row.decode("requester_dept_id", as: Int64.self)
        let subject = ApprovalPolicy.Subject(
            level: level, scope: scope, requester: requesterRole,
            requesterManagesDepartment: requesterRole == .manager && requesterDepartmentID == departmentID)
        return Pending(
            id: try row.decode("id", as: Int64.self),
            kind: try row.decodeRawValue("kind", as: ApprovalKind.self),
            status: try row.decode("status", as: String.self),
            departmentID: try row.decode("dept_id", as: Int64.self),
            requesterID: try row.decode("requester_id", as: Int64.self),
            currentStep: try row.decode("current_step", as: Int.self),
            stepCount: try row.decode("step_count", as: Int.self),
            dossierID: try row.decode("dossier_id", as: Int64?.self),
            customerID: try row.decode("customer_id", as: Int64?.self),
            loanID: try row.decode("loan_id", as: Int64?.self),
            penaltyID: try row.decode("penalty_id", as: Int64?.self),
            payload: try row.decode("payload", as: String.self),
            reason: try row.decode("reason", as: String?.self),
            approverRole: try row.decodeRawValue("approver_role", as: ApproverRole.self),
            approverDepartmentID: try row.decode("approver_dept_id", as: Int64?.self),
            subject: subject,
            closedReason: try row.decode("closed_reason", as: String?.self)
        )
    }

    /// Checks a pending request's chain again, at a decision, against its
    /// subject now: a loan asked for while a dossier was `internal` and decided
    /// after it was raised to `secret` needs a director now, not the manager
    /// it was filed for. Steps still to decide are replaced when the chain
    /// changed (`ApprovalPolicy.remainingSteps`); returns the request as it
    /// stands then. A request the subject no longer allows at all (a loan of a
    /// dossier that is `top_secret` now) cannot be approved, only rejected or
    /// withdrawn.
    static func recheck(_ pending: Pending, approving: Bool, on connection: PostgresConnection) throws -> Pending {
        guard pending.status == "pending" else { return pending }
        let chain: [ApproverRole]
        do {
            chain = try ApprovalPolicy.chain(for: pending.kind, pending.subject)
        } catch {
            guard approving else { return pending }
            throw ProtocolError(.conflict, "\(pending.approvalID) is no longer possible: the dossier is \(pending.subject.level.rawValue) now; reject it")
        }
        // A one-step request's chain is its current step, read with it by `lock`.
        let stored = pending.stepCount == 1 && pending.currentStep == 1 ? [pending.approverRole] : try connection.query(
            "SELECT approver_role FROM approval_steps WHERE approval_id = $1::int8 ORDER BY step_no", [pending.id]
        ).rows.map { ApproverRole(rawValue: try $0.decode("approver_role", as: String.self)) ?? .director }
        let decided = Array(stored.prefix(pending.currentStep - 1))
        guard let remaining = ApprovalPolicy.remainingSteps(decided: decided, stored: stored, now: chain) else { return pending }
        try connection.query("SELECT dossier.approval_replan($1::int8, $2::text[])", [pending.id, arrayLiteral(remaining)])
        return try lock(pending.approvalID, on: connection)
    }

    /// May `actor` decide the current step? Role (and department for a
    /// manager's step) must match, and nobody decides their own request.
    static func requireDecider(_ pending: Pending, _ actor: Actor) throws {
        try requirePending(pending)
        guard pending.requesterID != actor.userID else {
            throw ProtocolError(.denied, "nobody approves their own request")
        }
        let matches: Bool
        switch pending.approverRole {
        case .director: matches = actor.role == .director
        case .manager: matches = actor.role == .manager && pending.approverDepartmentID == actor.departmentID
        }
        guard matches else {
            throw ProtocolError(.denied, "\(pending.approvalID) waits for a \(pending.approverRole.rawValue), step \(pending.currentStep)")
        }
    }

    /// A decided request is final; one the system closed says why.
    static func requirePending(_ pending: Pending) throws {
        guard pending.status == "pending" else {
            if let reason = pending.closedReason {
                throw ProtocolError(.conflict, "\(pending.approvalID) was closed: \(reason)")
            }
            throw ProtocolError(.conflict, "\(pending.approvalID) is \(pending.status)")
        }
    }

    static func approve(_ command: Approve, actor: Actor, personalData: PersonalData?, on connection: PostgresConnection) throws
        -> Response {
        let pending = try recheck(try lock(command.approval, on: connection), approving: true, on: connection)
        try requireDecider(pending, actor)
        guard pending.currentStep == pending.stepCount else {
            try recordDecision(pending, "approved", comment: command.comment, actor: actor, on: connection)
            try connection.query("UPDATE approvals SET current_step = current_step + 1 WHERE id = $1::int8", [pending.id])
            let role = try connection.query(
                "SELECT approver_role FROM approval_steps WHERE approval_id = $1::int8 AND step_no = $2::int4",
                [pending.id, pending.currentStep + 1]).firstRow().decode("approver_role", as: String.self)
            try Audit.record(connection, action: "approval.approve", target: pending.approvalID.description,
                             detail: "step \(pending.currentStep)")
            return .ok("\(pending.approvalID) next=\(role)")
        }
        // A loan request's last step: the decision, the approval, the loan and
        // the audit row in one call (0152).
        if pending.kind == .loan {
            try Loans.approveLast(pending, comment: command.comment, actor: actor, on: connection)
            return .ok("\(pending.approvalID) approved")
        }
        // The last step's decision and the approval in one call (0110). What
        // stands in the way of it is said as such (a dossier out on loan,
        // retention not over yet), and nothing changes: the refusal rolls back.
        if let obstacle = try connection.query(
            "SELECT dossier.approval_approve_last($1::int8, $2::int4, $3::int8, $4::text) AS reason",
            [pending.id, pending.currentStep, actor.userID, command.comment]).firstRow().decode("reason", as: String?.self) {
            throw ProtocolError(.conflict, "\(pending.approvalID) cannot be carried out now: \(obstacle)")
        }
        let outcome = try ApprovalEffects.apply(pending, actor: actor, personalData: personalData, on: connection)
        try Audit.record(connection, action: "approval.approve", target: pending.approvalID.description, detail: "final")
        return .ok("\(pending.approvalID) approved" + (outcome.map { " " + $0 } ?? ""))
    }

    static func reject(_ command: Reject, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let pending = try recheck(try lock(command.approval, on: connection), approving: false, on: connection)
        try requireDecider(pending, actor)
        try recordDecision(pending, "rejected", comment: command.reason, actor: actor, on: connection)
        try connection.query("UPDATE approvals SET status = 'rejected', decided_at = now() WHERE id = $1::int8", [pending.id])
        try ApprovalEffects.undo(pending, status: "rejected", on: connection)
        try Audit.record(connection, action: "approval.reject", target: pending.approvalID.description, purpose: command.reason)
        return .ok("\(pending.approvalID) rejected")
    }

    static func withdraw(_ approval: ApprovalID, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let pending = try lock(approval, on: connection)
        guard pending.requesterID == actor.userID else { throw ProtocolError(.denied, "only the requester withdraws \(approval)") }
        try requirePending(pending)
        try connection.query("UPDATE approvals SET status = 'withdrawn', decided_at = now() WHERE id = $1::int8", [pending.id])
        try ApprovalEffects.undo(pending, status: "withdrawn", on: connection)
        try Audit.record(connection, action: "approval.withdraw", target: approval.description)
        return .ok("\(approval) withdrawn")
    }

    private static func recordDecision(
        _ pending: Pending, _ decision: String, comment: String?, actor: Actor, on connection: PostgresConnection
    ) throws {
        try connection.query("""
            UPDATE approval_steps SET decision = $3::text, decided_by = $4::int8, comment = $5::text, decided_at = now()
             WHERE approval_id = $1::int8 AND step_no = $2::int4
            """, [pending.id, pending.currentStep, decision, actor.userID, comment])
    }
}
