/// How long a loan or an extension runs: `days=` or `hours=` (never both).
public enum LoanPeriod: Hashable, Sendable, CustomStringConvertible {
    case days(Int)
    case hours(Int)

    public var description: String {
        switch self {
        case .days(let days): "days=\(days)"
        case .hours(let hours): "hours=\(hours)"
        }
    }
}
