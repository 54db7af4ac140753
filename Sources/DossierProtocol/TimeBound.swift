import DossierDomain

/// A lower bound in time, as `since=` takes it: a whole day or an exact instant.
public enum TimeBound: Hashable, Sendable, CustomStringConvertible {
    /// From the start of this day in the company's time zone (`COMPANY SET timezone=`).
    case date(CalendarDate)
    /// From this instant.
    case instant(Timestamp)

    public init?(_ text: String) {
        if let date = CalendarDate(text) {
            self = .date(date)
        } else if let instant = Timestamp(text) {
            self = .instant(instant)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .date(let date): date.description
        case .instant(let instant): instant.description
        }
    }
}
