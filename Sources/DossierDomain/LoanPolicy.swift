/// How a dossier of one level may be lent (RULES.md "Loans"): the rule row of
/// its level, editable in the database, decides mode and longest period.
public struct LoanRule: Hashable, Sendable {
    public var lendable: Bool
    public var mode: LoanMode?
    /// The longest loan (and the default one), in seconds.
    public var maximumSeconds: Int?
    /// Must come back the day it left (reading room of `confidential`).
    public var sameDay: Bool

    public init(lendable: Bool, mode: LoanMode?, maximumSeconds: Int?, sameDay: Bool) {
        self.lendable = lendable
        self.mode = mode
        self.maximumSeconds = maximumSeconds
        self.sameDay = sameDay
    }
}

/// Decides a loan request against the rule of the dossier's level. Pure.
public enum LoanPolicy {
    public enum Refusal: Error, Hashable, Sendable {
        /// `top_secret`: never lent.
        case neverLent
        /// The level allows only `allowed` (e.g. the reading room for `confidential`).
        case modeNotAllowed(allowed: LoanMode)
        /// Longer than the level allows.
        case tooLong(maximumSeconds: Int)
    }

    public struct Decision: Hashable, Sendable {
        public let mode: LoanMode
        public let seconds: Int
        public let sameDay: Bool
    }

    /// The mode and duration of a request (`seconds` nil: the level's default).
    public static func decide(_ rule: LoanRule, mode requested: LoanMode?, seconds: Int?) throws(Refusal) -> Decision {
        guard rule.lendable, let mode = rule.mode, let maximum = rule.maximumSeconds else { throw .neverLent }
        if let requested, requested != mode { throw .modeNotAllowed(allowed: mode) }
        let duration = seconds ?? maximum
        guard duration <= maximum else { throw .tooLong(maximumSeconds: maximum) }
        return Decision(mode: mode, seconds: duration, sameDay: rule.sameDay)
    }

    /// An extension runs from the current due time and is bounded like a loan.
    public static func extend(_ rule: LoanRule, seconds: Int) throws(Refusal) -> Int {
        guard rule.lendable, let maximum = rule.maximumSeconds else { throw .neverLent }
        guard seconds <= maximum else { throw .tooLong(maximumSeconds: maximum) }
        return seconds
    }

    /// Whether a staff member's violations this month make this one doubled;
    /// the rule lives in `RepeatEscalation` (it concerns every penalty, not only loans).
    public static func isRepeat(ordinalInMonth: Int, line: StaffLine) -> Bool {
        RepeatEscalation.isRepeat(ordinalInMonth: ordinalInMonth, line: line)
    }
}
