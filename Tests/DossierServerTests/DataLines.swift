import DossierDomain
import Postgres
import Testing

/// The value of `key=` in a data line (unquoted values only).
func dataValue(_ key: String, _ line: String) -> String? {
    line.split(separator: " ").first { $0.hasPrefix("\(key)=") }.map { String($0.dropFirst(key.count + 1)) }
}

/// The company's today (Asia/Shanghai, the default zone of the test company).
func companyToday(_ sql: PostgresConnection) throws -> CalendarDate {
    let text = try sql.query("SELECT to_char((now() AT TIME ZONE 'Asia/Shanghai')::date, 'YYYY-MM-DD') AS d").firstRow()
        .decode("d", as: String.self)
    return try #require(CalendarDate(text))
}
