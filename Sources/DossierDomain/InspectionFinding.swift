/// What an inspection found of one dossier on the shelf (seed 000 第十条:
/// 发现损坏、缺失等情况应及时修复或补充).
public enum InspectionResult: String, WireEnum {
    case present
    case missing
    case damaged
}

/// How a dossier stands in an inspection's report: the rule that turns what
/// the register expects and what the clerk recorded into one word.
public enum InspectionFinding: String, WireEnum {
    /// Found where the register says.
    case present
    /// Found intact somewhere else (the register is corrected).
    case moved
    case missing
    case damaged
    /// On loan and not checked: expected to be absent.
    case onLoan = "on_loan"
    /// Expected on the shelf, never checked.
    case unchecked

    /// The finding for one dossier. `registerLocation` is where the register
    /// said it was when it was checked, `foundLocation` where the clerk found
    /// it (nil: where the register says).
    public static func of(result: InspectionResult?, onLoan: Bool, registerLocation: String?, foundLocation: String?)
        -> InspectionFinding {
        switch result {
        case nil: return onLoan ? .onLoan : .unchecked
        case .missing?: return .missing
        case .damaged?: return .damaged
        case .present?:
            guard let found = foundLocation, found != (registerLocation ?? "") else { return .present }
            return .moved
        }
    }

    /// Whether this finding starts the loss/damage path (RULES.md `LOST_OR_DAMAGED`).
    public var isLoss: Bool { self == .missing || self == .damaged }
}
