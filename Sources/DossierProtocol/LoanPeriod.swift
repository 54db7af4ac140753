/// How long a loan or an extension runs: `days=` or `hours=` (never both).
public enum LoanPeriod: Hashable, Sendable, CustomStringConvertible {
    case days(Int)
    case hours(Int)

    /// The argument it was given as, for a refusal to name what the user typed.
    public var key: String {
        switch self {
        case .days: "days"
        case .hours: "hours"
        }
    }

    public var description: String {
        switch self {
        case .days(let days): "days=\(days)"
        case .hours(let hours): "hours=\(hours)"
        }
    }
}
