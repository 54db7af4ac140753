import DossierDomain
import DossierProtocol
import Postgres

/// How far from today (the company's) a date typed for a plan may lie: a due
/// day, an instalment or a visit ten years off is a typo (2062 for 2026),
/// not a plan, and the product would carry it, or charge for it, for ever.
/// Some dates also may not lie on one side of today; that is checked in the
/// same round trip.
enum DateHorizon {
    static let days = 3660

    /// Which side of today a date may also lie on.
    enum Side {
        case either
        /// Today or later (`<date> is in the past`).
        case notPast
        /// Today or earlier (`<date> is in the future`).
        case notFuture
    }

    /// Refuses `date` (argument `key`) on the wrong side of today, or more
    /// than ten years from it either way.
    static func check(_ date: CalendarDate, key: String, side: Side = .either, on connection: PostgresConnection) throws {
        let offset = try connection.query("SELECT ($1::date - current_date)::int8 AS offset_days", [date.description])
            .firstRow().decode("offset_days", as: Int64.self)
        switch side {
        case .notPast where offset < 0: throw ProtocolError.invalid(key, "\(date) is in the past")
        case .notFuture where offset > 0: throw ProtocolError.invalid(key, "\(date) is in the future")
        case .either, .notPast, .notFuture: break
        }
        if abs(offset) > Int64(days) { throw ProtocolError.invalid(key, "\(date) is more than ten years from today") }
    }
}
