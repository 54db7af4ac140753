import Postgres

/// The conditions of one listing (`AUDIT LIST`, `DOSSIER LIST`), only those
/// given: each combination is its own statement text (made of fixed
/// fragments, values only as parameters), so each gets a plan that uses its
/// index — a catch-all `($1 IS NULL OR …)` would share one generic plan that
/// scans the whole table.
struct SQLFilter {
    private(set) var conditions: [String] = []
    private(set) var parameters: [(any PostgresEncodable)?] = []

    /// The condition `condition(parameter)` on `value`.
    mutating func add(_ value: any PostgresEncodable, _ condition: (String) -> String) {
        conditions.append(condition(parameter(value)))
    }

    /// `$n` for a new parameter.
    mutating func parameter(_ value: any PostgresEncodable) -> String {
        parameters.append(value)
        return "$\(parameters.count)"
    }

    var whereClause: String { conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ") }
}
