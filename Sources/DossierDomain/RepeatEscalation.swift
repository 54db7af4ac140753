/// Repeat escalation within a calendar month (RULES.md "Penalties", [001 篇十四.6]):
/// from the 2nd violation of a `sales` user and from the 3rd of a `service`
/// user in one calendar month, each fine is doubled (×2, not compounding); the
/// 3rd and later violation of a service user also flags the month for a
/// 10–30 % performance deduction.
///
/// Mirrored for set-based SQL by `dossier.repeat_multiplier(line, ordinal)`
/// (migration 0014); `PenaltyRuleSQLTests` checks that both agree.
public enum RepeatEscalation {
    /// The ordinal in the month from which a fine is doubled.
    public static func firstDoubledOrdinal(for line: StaffLine) -> Int {
        switch line {
        case .sales: 2
        case .service: 3
        }
    }

    /// Whether the `ordinalInMonth`-th violation of the month (1-based) is a repeat.
    public static func isRepeat(ordinalInMonth: Int, line: StaffLine) -> Bool {
        ordinalInMonth >= firstDoubledOrdinal(for: line)
    }

    /// 2 for a repeat, else 1.
    public static func multiplier(ordinalInMonth: Int, line: StaffLine) -> Int {
        isRepeat(ordinalInMonth: ordinalInMonth, line: line) ? 2 : 1
    }

    /// A month with this many (not waived) violations is flagged for a
    /// performance deduction: service staff from the 3rd violation on.
    public static func flagsPerformanceDeduction(violationsInMonth: Int, line: StaffLine) -> Bool {
        switch line {
        case .sales: false
        case .service: violationsInMonth >= 3
        }
    }
}
