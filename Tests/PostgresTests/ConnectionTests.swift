import Foundation
import Postgres
import TestSupport
import Testing

/// `PostgresConnection` against a real server (the shared test cluster).
@Suite struct ConnectionTests {
    let connection: PostgresConnection

    init() throws {
        connection = try PostgresConnection(conninfo: TestPostgres.createDatabase())
    }

    @Test func connectsAndReportsServer() throws {
        #expect(connection.isConnected)
        #expect(connection.serverVersion >= 150000)
        let row = try #require(try connection.query("select current_setting('server_encoding') as encoding").first)
        #expect(try row.decode("encoding", as: String.self) == "UTF8")
    }

    @Test func parametersRoundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_795_421_702.123456)
        let bytes: [UInt8] = [0, 1, 2, 0x7f, 0x80, 0xfe, 0xff]
        let uuid = UUID()
        let result = try connection.query(
            """
            select $1::text as chinese, $2::text as missing, $3::bytea as bytes, $4::timestamptz as at,
                   $5::int8 as big, $6::int4 as small, $7::bool as flag, $8::float8 as ratio,
                   $9::uuid as id, $10::text as quote, ''::text as empty
            """,
            ["北京华信科技有限公司 ✓", nil, bytes, date, Int64.max, Int32.min, true, 0.1, uuid, "it's \"quoted\"\\"])
        let row = try #require(result.first)
        #expect(result.columns.count == 11)
        #expect(try row.decode("chinese", as: String.self) == "北京华信科技有限公司 ✓")
        #expect(row["missing"] == nil)
        #expect(try row.decodeIfPresent("missing", as: String.self) == nil)
        #expect(try row.decode("missing", as: String?.self) == nil)
        #expect(try row.decode("bytes", as: [UInt8].self) == bytes)
        #expect(try row.decode("at", as: Date.self) == date)
        #expect(try row.decode("big", as: Int64.self) == .max)
        #expect(try row.decode("small", as: Int32.self) == .min)
        #expect(try row.decode("flag", as: Bool.self))
        #expect(try row.decode("ratio", as: Double.self) == 0.1)
        #expect(try row.decode("id", as: UUID.self) == uuid)
        #expect(try row.decode("quote", as: String.self) == "it's \"quoted\"\\")
        #expect(try row.decode("empty", as: String.self) == "")
        #expect(try row.decode(0, as: String.self) == "北京华信科技有限公司 ✓")
    }

    @Test func datesSurviveOtherSessionTimeZones() throws {
        try connection.execute(script: "set timezone to 'Asia/Kolkata'")
        let date = Date(timeIntervalSince1970: 1_700_000_000.5)
        let row = try #require(try connection.query("select $1::timestamptz as at, ($1::timestamptz)::text as text", [date]).first)
        #expect(try row.decode("at", as: Date.self) == date)
        #expect(row["text"]?.hasSuffix("+05:30") == true)
    }

    @Test func decodingErrorsAreClientErrors() throws {
        let row = try #require(try connection.query("select 'abc'::text as word, null::int8 as nothing").first)
        let notANumber = #expect(throws: PostgresError.self) { try row.decode("word", as: Int.self) }
        #expect(notANumber?.kind == .client)
        #expect(notANumber?.message.contains("word") == true)
        let null = #expect(throws: PostgresError.self) { try row.decode("nothing", as: Int64.self) }
        #expect(null?.kind == .client)
        let unknown = #expect(throws: PostgresError.self) { try row.decode("nope", as: String.self) }
        #expect(unknown?.kind == .client)
        let outOfRange = #expect(throws: PostgresError.self) { try row.decode(5, as: String.self) }
        #expect(outOfRange?.kind == .client)
        // An optional target type reads NULL as nil instead of throwing.
        let maybe: Int64? = try row.decode("nothing")
        #expect(maybe == nil)
        let word: String? = try row.decode("word")
        #expect(word == "abc")
    }

    @Test func nulByteInParameterIsRejectedBeforeSending() throws {
        let error = #expect(throws: PostgresError.self) { try connection.query("select $1::text", ["a\u{0}b"]) }
        #expect(error?.kind == .client)
        #expect(try connection.query("select 1 as one").first?.decode("one", as: Int.self) == 1)
    }

    @Test func syntaxErrorCarriesSQLState() throws {
        let error = #expect(throws: PostgresError.self) { try connection.query("selec 1") }
        #expect(error?.kind == .server)
        #expect(error?.sqlState == "42601")
        #expect(error?.message.contains("syntax error") == true)
        // The connection stays usable and the failed statement was not cached.
        #expect(try connection.query("select 2 as two").first?.decode("two", as: Int.self) == 2)
        #expect(throws: PostgresError.self) { try connection.query("selec 1") }
    }

    @Test func uniqueViolationCarriesConstraintAndDetail() throws {
        try connection.execute(script: """
            create table people (id int8 primary key, email text not null constraint people_email_key unique);
            insert into people values (1, 'a@example.org');
            """)
        let error = #expect(throws: PostgresError.self) {
            try connection.query("insert into people (id, email) values ($1::int8, $2::text)", [2, "a@example.org"])
        }
        #expect(error?.kind == .server)
        #expect(error?.isUniqueViolation == true)
        #expect(error?.constraint == "people_email_key")
        #expect(error?.table == "people")
        #expect(error?.detail?.contains("a@example.org") == true)

        let notNull = #expect(throws: PostgresError.self) {
            try connection.query("insert into people (id, email) values ($1::int8, $2::text)", [3, nil])
        }
        #expect(notNull?.isNotNullViolation == true)
        #expect(notNull?.column == "email")
    }

    @Test func raisedExceptionCarriesHint() throws {
        let error = #expect(throws: PostgresError.self) {
            try connection.execute(script: """
                do $$ begin raise exception 'nope' using detail = 'why', hint = 'try again'; end $$
                """)
        }
        #expect(error?.isRaiseException == true)
        #expect(error?.message == "nope")
        #expect(error?.detail == "why")
        #expect(error?.hint == "try again")
    }

    @Test func affectedRowsAndCommandTag() throws {
        try connection.execute(script: "create table counters (n int4)")
        let insert = try connection.query("insert into counters select generate_series(1, $1::int4)", [5])
        #expect(insert.affectedRows == 5)
        #expect(insert.commandTag == "INSERT 0 5")
        let update = try connection.query("update counters set n = n + 1 where n > $1::int4", [3])
        #expect(update.affectedRows == 2)
        let select = try connection.query("select n from counters order by n")
        #expect(try select.rows.map { try $0.decode("n", as: Int.self) } == [1, 2, 3, 5, 6])
        #expect(select.affectedRows == 5)
    }

    @Test func scriptRunsAllStatementsAndStopsAtFirstError() throws {
        try connection.execute(script: "create table t (x int4); insert into t values (1); insert into t values (2);")
        #expect(try connection.query("select count(*) as n from t").first?.decode("n", as: Int.self) == 2)
        let error = #expect(throws: PostgresError.self) {
            try connection.execute(script: "insert into t values (3); select 1/0; insert into t values (4);")
        }
        #expect(error?.sqlState == "22012")
        // A multi-statement simple query is one implicit transaction: nothing stayed.
        #expect(try connection.query("select count(*) as n from t").first?.decode("n", as: Int.self) == 2)
    }

    @Test func preparesEachStatementOnce() throws {
        let sql = "select $1::int8 + 1 as next"
        let before = connection.prepareCount
        #expect(try connection.query(sql, [1]).first?.decode("next", as: Int.self) == 2)
        #expect(try connection.query(sql, [41]).first?.decode("next", as: Int.self) == 42)
        #expect(connection.prepareCount == before + 1)
        let count = try connection.query(
            "select count(*) as n from pg_prepared_statements where statement = $1::text", [sql])
        #expect(try count.first?.decode("n", as: Int.self) == 1)
    }

    @Test func reconnectClearsStatementCache() throws {
        let sql = "select 7 as seven"
        try connection.query(sql)
        let pid = connection.processID
        try connection.reconnect()
        #expect(connection.processID != pid)
        let before = connection.prepareCount
        #expect(try connection.query(sql).first?.decode("seven", as: Int.self) == 7)
        #expect(connection.prepareCount == before + 1)
    }

    @Test func transactionCommits() throws {
        try connection.execute(script: "create table accounts (id int8 primary key, balance int8 not null)")
        let total = try connection.transaction { tx in
            try tx.query("insert into accounts values ($1::int8, $2::int8)", [1, 100])
            try tx.query("insert into accounts values ($1::int8, $2::int8)", [2, 50])
            return try tx.query("select sum(balance)::int8 as total from accounts").first!.decode("total", as: Int.self)
        }
        #expect(total == 150)
        #expect(!connection.isInTransaction)
        #expect(try connection.query("select count(*) as n from accounts").first?.decode("n", as: Int.self) == 2)
    }

    @Test func transactionRollsBackWhenBodyThrows() throws {
        struct Boom: Error {}
        try connection.execute(script: "create table events (id int8)")
        #expect(throws: Boom.self) {
            try connection.transaction { tx in
                try tx.query("insert into events values ($1::int8)", [1])
                throw Boom()
            }
        }
        #expect(!connection.isInTransaction)
        #expect(try connection.query("select count(*) as n from events").first?.decode("n", as: Int.self) == 0)
    }

    @Test func transactionRollsBackOnServerErrorAndRethrowsIt() throws {
        try connection.execute(script: "create table items (id int8 primary key)")
        let error = #expect(throws: PostgresError.self) {
            try connection.transaction { tx in
                try tx.query("insert into items values ($1::int8)", [1])
                try tx.query("insert into items values ($1::int8)", [1])
            }
        }
        #expect(error?.isUniqueViolation == true)
        #expect(try connection.query("select count(*) as n from items").first?.decode("n", as: Int.self) == 0)
    }

    @Test func swallowedErrorInTransactionDoesNotCommit() throws {
        try connection.execute(script: "create table notes (id int8 primary key)")
        let error = #expect(throws: PostgresError.self) {
            try connection.transaction { tx in
                try tx.query("insert into notes values ($1::int8)", [1])
                _ = try? tx.query("select 1/0")
            }
        }
        #expect(error?.sqlState == "25P02")
        #expect(!connection.isInTransaction)
        #expect(try connection.query("select count(*) as n from notes").first?.decode("n", as: Int.self) == 0)
    }

    @Test func failedCommitIsThrown() throws {
        try connection.execute(script: """
            create table parents (id int8 primary key);
            create table children (parent int8 references parents deferrable initially deferred);
            """)
        let error = #expect(throws: PostgresError.self) {
            try connection.transaction { tx in
                try tx.query("insert into children values ($1::int8)", [99])
            }
        }
        #expect(error?.isForeignKeyViolation == true)
        #expect(!connection.isInTransaction)
    }

    @Test func badConninfoIsAConnectionError() {
        let error = #expect(throws: PostgresError.self) {
            _ = try PostgresConnection(conninfo: "host=/nonexistent-dir port=1 connect_timeout=2")
        }
        #expect(error?.kind == .connection)
        #expect(error?.message.isEmpty == false)
    }

    @Test func closeIsIdempotent() throws {
        let other = try PostgresConnection(conninfo: TestPostgres.shared().conninfo())
        other.close()
        other.close()
        #expect(!other.isConnected)
        let error = #expect(throws: PostgresError.self) { try other.query("select 1") }
        #expect(error?.kind == .connection)
    }
}
