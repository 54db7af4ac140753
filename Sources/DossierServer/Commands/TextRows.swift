import DossierProtocol
import Postgres

extension Row {
    /// A data line of text columns, in the given order; SQL NULL shows as `""`.
    init(_ row: PostgresRow, columns: [String]) throws {
        self.init()
        for column in columns {
            append(column, try row.decodeIfPresent(column, as: String.self))
        }
    }
}
