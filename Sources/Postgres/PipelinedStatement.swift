/// A statement sent with `BEGIN` in a transaction's first round trip (see
/// `PostgresConnection.transaction(opening:_:)`): SQL text, prepared once per
/// connection, and its text parameters (`nil` = NULL).
public struct PipelinedStatement: Sendable {
    public let sql: String
    public let params: [(any PostgresEncodable)?]

    public init(_ sql: String, _ params: [(any PostgresEncodable)?]) {
        self.sql = sql
        self.params = params
    }
}
