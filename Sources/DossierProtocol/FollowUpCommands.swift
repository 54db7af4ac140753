import DossierDomain

/// `FOLLOWUP TEMPLATE <name> days=3,30,60 [unit=day|workday] [summary=]`: an
/// administrator creates or changes a schedule template.
public struct FollowUpTemplateSet: Hashable, Sendable {
    public var name: String
    public var offsets: [Int]
    /// nil: `day`.
    public var unit: FollowUpSchedule.Unit?
    public var summary: String?
    public init(name: String, offsets: [Int], unit: FollowUpSchedule.Unit? = nil, summary: String? = nil) {
        self.name = name; self.offsets = offsets; self.unit = unit; self.summary = summary
    }
}

/// `FOLLOWUP PLAN <customer> template=<name> [assignee=] [from=<date>]`: the
/// template's visits for a customer.
public struct FollowUpPlan: Hashable, Sendable {
    public var customer: CustomerNumber
    public var template: String
    /// nil: the customer's owner.
    public var assignee: Login?
    /// nil: today (the company's day).
    public var from: CalendarDate?
    public init(customer: CustomerNumber, template: String, assignee: Login? = nil, from: CalendarDate? = nil) {
        self.customer = customer; self.template = template; self.assignee = assignee; self.from = from
    }
}

/// `FOLLOWUP ADD <customer> due=<date> [assignee=] [note=]`: one visit planned by hand.
public struct FollowUpAdd: Hashable, Sendable {
    public var customer: CustomerNumber
    public var due: CalendarDate
    /// nil: the customer's owner.
    public var assignee: Login?
    public var note: String?
    public init(customer: CustomerNumber, due: CalendarDate, assignee: Login? = nil, note: String? = nil) {
        self.customer = customer; self.due = due; self.assignee = assignee; self.note = note
    }
}

/// `FOLLOWUP RECORD V<n> method= outcome= [satisfaction=] [objection=]`: the
/// assignee records a visit made.
public struct FollowUpRecord: Hashable, Sendable {
    public var visit: VisitID
    public var method: VisitMethod
    public var outcome: String
    public var satisfaction: Int?
    public var objection: String?
    public init(visit: VisitID, method: VisitMethod, outcome: String, satisfaction: Int? = nil, objection: String? = nil) {
        self.visit = visit; self.method = method; self.outcome = outcome; self.satisfaction = satisfaction
        self.objection = objection
    }
}

/// `FOLLOWUP LIST [customer=] [assignee=] [status=] [due=<date>|<from>..<to>] [limit=]`.
public struct FollowUpList: Hashable, Sendable {
    public var customer: CustomerNumber?
    public var assignee: Login?
    public var status: VisitStatusFilter?
    public var due: DateRange?
    public var limit: Int?
    public init(customer: CustomerNumber? = nil, assignee: Login? = nil, status: VisitStatusFilter? = nil,
                due: DateRange? = nil, limit: Int? = nil) {
        self.customer = customer; self.assignee = assignee; self.status = status; self.due = due; self.limit = limit
    }
}

/// `PENALTY AUTO <rule> yes|no`: an administrator switches a rule's automatic
/// detection on or off (`LATE_FOLLOWUP` ships switched off).
public struct PenaltyAuto: Hashable, Sendable {
    public var rule: PenaltyRuleCode
    public var enabled: Bool
    public init(rule: PenaltyRuleCode, enabled: Bool) { self.rule = rule; self.enabled = enabled }
}

/// `FOLLOWUP AUTO <template> yes|no [kind=company|person] [grade=VIP|A|B|C]`:
/// an administrator has a template planned automatically for every customer
/// created with, or changing into, that kind and grade (absent: any).
public struct FollowUpAuto: Hashable, Sendable {
    public var template: String
    public var enabled: Bool
    public var kind: CustomerKind?
    public var grade: CustomerGrade?
    public init(template: String, enabled: Bool, kind: CustomerKind? = nil, grade: CustomerGrade? = nil) {
        self.template = template; self.enabled = enabled; self.kind = kind; self.grade = grade
    }
}

/// `FOLLOWUP ASSIGN V<n> assignee=<login> [reason=]`: a manager (or director)
/// gives an open visit to another person of the customer's department.
public struct FollowUpAssign: Hashable, Sendable {
    public var visit: VisitID
    public var assignee: Login
    public var reason: String?
    public init(visit: VisitID, assignee: Login, reason: String? = nil) {
        self.visit = visit; self.assignee = assignee; self.reason = reason
    }
}

/// `FOLLOWUP CANCEL V<n> reason=`: the customer's owner, the manager or a
/// director cancels an open visit.
public struct FollowUpCancel: Hashable, Sendable {
    public var visit: VisitID
    public var reason: String
    public init(visit: VisitID, reason: String) { self.visit = visit; self.reason = reason }
}
