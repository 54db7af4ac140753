import DossierDomain
import DossierProtocol
import Postgres

/// `CALENDAR SET`, `CALENDAR DELETE`, `CALENDAR LIST`: exceptions to
/// Monday–Friday (public holidays, make-up working days 调休). SET and DELETE
/// take one date or a range (a holiday week in one command), audited once per
/// command with the range.
enum CompanyCalendar {
    static func set(_ command: CalendarSet, actor: Actor, on connection: PostgresConnection) throws -> Response {
        try connection.query("""
            INSERT INTO calendar_days (day, kind, note, set_by)
            SELECT d::date, $3::text, $4::text, $5::int8
              FROM generate_series($1::date, $2::date, interval '1 day') AS d
            ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, note = EXCLUDED.note,
                                            set_by = EXCLUDED.set_by, set_at = now()
            """, [command.days.first.description, command.days.last.description, command.kind.rawValue,
                  command.note ?? "", actor.userID])
        try Audit.record(connection, action: "calendar.set", target: command.days.description, detail: command.kind.rawValue)
        // One date answers as PROTOCOL.md says; a range says how many days it set.
        return command.days.isSingleDay ? .ok() : .ok("\(command.days.dayCount)")
    }

    static func delete(_ days: DateRange, on connection: PostgresConnection) throws -> Response {
        let deleted = try connection.query("DELETE FROM calendar_days WHERE day BETWEEN $1::date AND $2::date",
                                           [days.first.description, days.last.description]).affectedRows
        guard deleted > 0 else { throw ProtocolError(.notFound, "no calendar entry in \(days)") }
        try Audit.record(connection, action: "calendar.delete", target: days.description, detail: "\(deleted)")
        return .ok("\(deleted)")
    }

    /// A month, a year, or (neither given) this year in the company's time zone.
    static func list(_ command: CalendarList, on connection: PostgresConnection) throws -> Response {
        let bounds: (String?, String?)
        if let month = command.month {
            bounds = (month.firstDay.description, month.lastDay.description)
        } else if let year = command.year {
            bounds = (CalendarDate(year: year, month: 1, day: 1)?.description,
                      CalendarDate(year: year, month: 12, day: 31)?.description)
        } else {
            bounds = (nil, nil)
        }
        let rows = try connection.query("""
            SELECT to_char(day, 'YYYY-MM-DD') AS date, kind, note FROM calendar_days
             WHERE day BETWEEN coalesce($1::date, date_trunc('year', current_date)::date)
                           AND coalesce($2::date, (date_trunc('year', current_date) + interval '1 year - 1 day')::date)
             ORDER BY day
            """, [bounds.0, bounds.1]).rows
        return .rows(try rows.map { try Row($0, columns: ["date", "kind", "note"]) })
    }
}
