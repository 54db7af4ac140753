import DossierDomain
import DossierProtocol
import Postgres

/// `CALENDAR SET`, `CALENDAR LIST`: exceptions to Monday–Friday (public
/// holidays, make-up working days 调休).
enum CompanyCalendar {
    static func set(_ command: CalendarSet, actor: Actor, on connection: PostgresConnection) throws -> Response {
        try connection.query("""
            INSERT INTO calendar_days (day, kind, note, set_by) VALUES ($1::date, $2::text, $3::text, $4::int8)
            ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, note = EXCLUDED.note,
                                            set_by = EXCLUDED.set_by, set_at = now()
            """, [command.date.description, command.kind.rawValue, command.note ?? "", actor.userID])
        try Audit.record(connection, action: "calendar.set", target: command.date.description, detail: command.kind.rawValue)
        return .ok()
    }

    static func list(month: YearMonth, on connection: PostgresConnection) throws -> Response {
        let rows = try connection.query("""
            SELECT to_char(day, 'YYYY-MM-DD') AS date, kind, note FROM calendar_days
             WHERE day BETWEEN $1::date AND $2::date ORDER BY day
            """, [month.firstDay.description, month.lastDay.description]).rows.map { row -> Row in
            ["date": try row.decode("date", as: String.self), "kind": try row.decode("kind", as: String.self),
             "note": try row.decode("note", as: String.self)]
        }
        return .rows(rows)
    }
}
