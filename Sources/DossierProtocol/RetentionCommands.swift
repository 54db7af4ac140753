import DossierDomain

/// `RETENTION SET <category> years= trigger= [dry_run=yes|no]`.
public struct RetentionSet: Hashable, Sendable {
    public var category: Category
    public var years: Int
    public var trigger: RetentionTrigger
    /// Report what would change without changing anything.
    public var dryRun: Bool
    public init(category: Category, years: Int, trigger: RetentionTrigger, dryRun: Bool = false) {
        self.category = category; self.years = years; self.trigger = trigger; self.dryRun = dryRun
    }
}

/// `RETENTION DUE [before=] [limit=]`.
public struct RetentionDue: Hashable, Sendable {
    /// nil: today.
    public var before: CalendarDate?
    public var limit: Int?
    public init(before: CalendarDate?, limit: Int?) { self.before = before; self.limit = limit }
}

/// `DESTROY <ref> reason= [method=]`.
public struct Destroy: Hashable, Sendable {
    public var ref: DossierRef
    public var reason: String
    public var method: DestructionMethod?
    public init(ref: DossierRef, reason: String, method: DestructionMethod?) { self.ref = ref; self.reason = reason; self.method = method }
}

/// `DESTRUCTION LIST [year=]`.
public struct DestructionList: Hashable, Sendable {
    public var year: Int?
    public init(year: Int?) { self.year = year }
}
