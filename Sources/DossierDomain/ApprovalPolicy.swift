/// Who approves a step: the manager of the department the request concerns,
/// or any director.
public enum ApproverRole: String, WireEnum {
    case manager
    case director
}

/// Who must approve a request, step by step (RULES.md "People and scope",
/// "Dossiers and items", "Access grants", "Loans", "Retention and destruction").
/// Pure: the engine turns each step into a role and a department.
public enum ApprovalPolicy {
    /// What the chain depends on.
    public struct Subject: Hashable, Sendable {
        public var level: Level
        public var scope: Scope
        /// The requester's role.
        public var requester: Role
        /// The requester manages the department the request concerns: their
        /// own requests go to a director (nobody approves their own request).
        public var requesterManagesDepartment: Bool

        public init(level: Level, scope: Scope, requester: Role, requesterManagesDepartment: Bool) {
            self.level = level
            self.scope = scope
            self.requester = requester
            self.requesterManagesDepartment = requesterManagesDepartment
        }
    }

    public enum Refusal: Error, Hashable, Sendable {
        /// `top_secret` dossiers are never lent.
        case neverLent
    }

    /// The approvers, in order; never empty.
    public static func chain(for kind: ApprovalKind, _ subject: Subject) throws(Refusal) -> [ApproverRole] {
        let steps: [ApproverRole]
        switch kind {
        case .file, .edit, .delete:
            // The department manager, unless the manager cannot see it
            // (top_secret) or does not manage it (company scope).
            steps = subject.level == .topSecret || subject.scope == .company ? [.director] : [.manager]
        case .customerEdit:
            steps = [.manager]
        case .access:
            // Others reach a dossier through its scope's chain; classified
            // requests end with a director.
            var chain: [ApproverRole]
            switch subject.scope {
            case .personal: chain = [.manager]
            case .department: chain = [.manager, .director]
            case .company: chain = [.director]
            }
            if subject.level != .internal && chain.last != .director { chain.append(.director) }
            if subject.level == .topSecret { chain = [.director] }
            steps = chain
        case .loan, .extend:
            switch subject.level {
            case .internal: steps = [.manager]
            case .secret, .confidential: steps = [.director]
            case .topSecret: throw .neverLent
            }
        case .destroy:
            steps = subject.level == .internal ? [.manager] : [.director]
        case .waive:
            steps = [.director]
        }
        return escalatingOwnRequests(steps, subject)
    }

    /// The steps still to decide when a request is checked again at a
    /// decision against what its subject needs *now* (the dossier's level or
    /// scope, or the requester's role, may have changed since the request).
    /// `decided` are the steps approved so far, `stored` the whole chain as
    /// requested, `chain` the chain the subject needs now. Approved steps count
    /// as far as they match the start of `chain`; the rest of `chain` is what
    /// remains. Nil when nothing changes: the stored steps still to decide are
    /// those steps, or the approvals given already satisfy `chain` (the stored
    /// chain is then the stricter one and stays).
    public static func remainingSteps(
        decided: [ApproverRole], stored: [ApproverRole], now chain: [ApproverRole]
    ) -> [ApproverRole]? {
        var matched = 0
        while matched < decided.count, matched < chain.count, decided[matched] == chain[matched] { matched += 1 }
        let remaining = Array(chain[matched...])
        guard !remaining.isEmpty, remaining != Array(stored.dropFirst(decided.count)) else { return nil }
        return remaining
    }

    /// A manager's own request skips their own step: it goes to a director.
    private static func escalatingOwnRequests(_ steps: [ApproverRole], _ subject: Subject) -> [ApproverRole] {
        guard subject.requester == .director || (subject.requester == .manager && subject.requesterManagesDepartment)
        else { return steps }
        var result: [ApproverRole] = []
        for step in steps.map({ _ in ApproverRole.director }) where result.last != step {
            result.append(step)
        }
        return result
    }
}
