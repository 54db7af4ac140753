/// Column names and a name → index map, shared by all rows of one result.
final class PostgresColumns: Sendable {
    let names: [String]
    let indexByName: [String: Int]

    init(_ names: [String]) {
        self.names = names
        var map = [String: Int]()
        // With duplicate names the first column wins, as in most drivers.
        for (index, name) in names.enumerated() where map[name] == nil { map[name] = index }
        self.indexByName = map
    }
}

/// One row of a result. Values are PostgreSQL text output, copied out of the
/// `PGresult`; `nil` is SQL NULL.
public struct PostgresRow: Sendable {
    let columnInfo: PostgresColumns
    let values: ArraySlice<String?>

    public var columns: [String] { columnInfo.names }

    /// The raw text of `column`, or `nil` for NULL or an unknown column.
    public subscript(column: String) -> String? {
        guard let index = columnInfo.indexByName[column] else { return nil }
        return values[values.startIndex + index]
    }

    /// The raw text of the column at `index`, or `nil` for NULL.
    public subscript(index: Int) -> String? {
        values[values.startIndex + index]
    }

    /// Decodes a non-NULL column. Throws `.client` for NULL, an unknown column, or unparsable text.
    /// A text column decoded into a closed set of values (a status, a role);
    /// a value the code does not know is an error, not a crash.
    public func decodeRawValue<T: RawRepresentable>(_ column: String, as type: T.Type) throws(PostgresError) -> T
    where T.RawValue == String {
        let text = try decode(column, as: String.self)
        guard let value = T(rawValue: text) else {
            throw .client("column \(column): unexpected value \"\(text)\" for \(T.self)")
        }
        return value
    }

    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws(PostgresError) -> T {
        let index = try self.index(of: column)
        guard let value = try decodeIfPresent(index, as: type) else {
            throw .client("column \"\(column)\" is NULL; expected \(T.self)")
        }
        return value
    }

    /// Decodes a nullable column: NULL becomes `nil`.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T?.Type = T?.self) throws(PostgresError) -> T? {
        try decodeIfPresent(column, as: T.self)
    }

    /// Decodes a nullable column: NULL becomes `nil`.
    public func decodeIfPresent<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws(PostgresError) -> T? {
        try decodeIfPresent(index(of: column), as: type)
    }

    /// Decodes the non-NULL column at `index` (0-based).
    public func decode<T: PostgresDecodable>(_ index: Int, as type: T.Type = T.self) throws(PostgresError) -> T {
        guard let value = try decodeIfPresent(index, as: type) else {
            throw .client("column \(index) (\(columnInfo.names[index])) is NULL; expected \(T.self)")
        }
        return value
    }

    /// Decodes the nullable column at `index` (0-based): NULL becomes `nil`.
    public func decodeIfPresent<T: PostgresDecodable>(_ index: Int, as type: T.Type = T.self) throws(PostgresError) -> T? {
        guard index >= 0, index < values.count else {
            throw .client("column index \(index) out of range (\(values.count) columns)")
        }
        guard let text = values[values.startIndex + index] else { return nil }
        do {
            return try T(postgresText: text)
        } catch let error as PostgresError {
            throw error
        } catch {
            throw .client("column \"\(columnInfo.names[index])\": cannot decode \(T.self) from \"\(text.prefix(100))\"")
        }
    }

    private func index(of column: String) throws(PostgresError) -> Int {
        guard let index = columnInfo.indexByName[column] else {
            throw .client("no column \"\(column)\" in result (columns: \(columnInfo.names.joined(separator: ", ")))")
        }
        return index
    }
}

/// The complete result of one statement. Everything is copied out of libpq
/// and the `PGresult` is cleared before this value exists.
public struct PostgresResult: Sendable {
    public var columns: [String]
    public var rows: [PostgresRow]
    /// Rows inserted, updated, deleted, selected… (`PQcmdTuples`); 0 when not applicable.
    public var affectedRows: Int
    /// The command tag, e.g. `INSERT 0 1` or `SELECT 3`.
    public var commandTag: String

    public init(columns: [String], rows: [PostgresRow], affectedRows: Int, commandTag: String = "") {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
        self.commandTag = commandTag
    }

    /// The first row, if any.
    public var first: PostgresRow? { rows.first }

    /// The first row of a statement that always returns one (`INSERT …
    /// RETURNING`, a function call); a missing row is an error of this
    /// command, never a crash of the process.
    public func firstRow() throws(PostgresError) -> PostgresRow {
        guard let row = rows.first else {
            throw .client("expected a row, got none (\(commandTag.isEmpty ? "no command tag" : commandTag))")
        }
        return row
    }
    public var isEmpty: Bool { rows.isEmpty }
}
