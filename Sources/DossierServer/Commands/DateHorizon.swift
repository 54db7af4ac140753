import DossierDomain
import DossierProtocol
import Postgres

/// How far from today (the company's) a date typed for a plan may lie: a due
/// day, an instalment or a visit ten years off is a typo (2062 for 2026),
/// not a plan, and the product would carry it, or charge for it, for ever.
enum DateHorizon {
    static let days = 3660

    /// Refuses `date` (argument `key`) when it is more than ten years from today, either way.
    static func check(_ date: CalendarDate, key: String, on connection: PostgresConnection) throws {
        let far = try connection.query("SELECT abs($1::date - current_date) > $2::int4 AS far", [date.description, days])
            .firstRow().decode("far", as: Bool.self)
        if far { throw ProtocolError.invalid(key, "\(date) is more than ten years from today") }
    }
}
