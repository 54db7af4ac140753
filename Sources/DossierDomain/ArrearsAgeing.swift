/// Arrears ageing (账龄): how long an open receivable is past its due day, in
/// the buckets the reports use — 0–30, 31–60, 61–90 and over 90 days overdue.
///
/// A receivable is overdue from the day after its due day (it may be paid until
/// the due day ends): on its due day it is `current`, the next day 1 day
/// overdue and in `days0to30`. The SQL function `dossier.credit_ageing_bucket`
/// (migration 0064) says the same; the tests check that both agree.
public enum ArrearsAgeing: String, WireEnum {
    case current = "current"
    case days0to30 = "0_30"
    case days31to60 = "31_60"
    case days61to90 = "61_90"
    case over90 = "90_plus"

    /// Days past the due day on `today` (0 while not overdue).
    public static func daysOverdue(due: CalendarDate, today: CalendarDate) -> Int {
        max(0, today.daysSinceEpoch - due.daysSinceEpoch)
    }

    /// The bucket of a receivable due on `due`, seen on `today`.
    public static func bucket(due: CalendarDate, today: CalendarDate) -> ArrearsAgeing {
        bucket(daysOverdue: daysOverdue(due: due, today: today))
    }

    public static func bucket(daysOverdue days: Int) -> ArrearsAgeing {
        switch days {
        case ...0: .current
        case 1...30: .days0to30
        case 31...60: .days31to60
        case 61...90: .days61to90
        default: .over90
        }
    }
}
