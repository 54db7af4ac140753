import Foundation
import Testing

@testable import Postgres

/// Text encoding and decoding without a database.
@Suite struct CodingTests {
    @Test func formatsDatesAsISO8601WithMicroseconds() {
        let date = Date(timeIntervalSince1970: 1_795_421_702.123456)
        #expect(date.postgresText == "2026-11-23T08:15:02.123456+00:00")
        #expect(Date(timeIntervalSince1970: 0).postgresText == "1970-01-01T00:00:00.000000+00:00")
        #expect(Date(timeIntervalSince1970: -0.5).postgresText == "1969-12-31T23:59:59.500000+00:00")
    }

    @Test(arguments: [
        ("2026-11-23 08:15:02.123456+00", 1_795_421_702.123456),
        ("2026-11-23 08:15:02+00", 1_795_421_702.0),
        ("2026-11-23 13:45:02.5+05:30", 1_795_421_702.5),
        ("2026-11-23 04:15:02-04", 1_795_421_702.0),
        ("2026-11-23T08:15:02.123456+00:00", 1_795_421_702.123456),
        ("2026-11-23 08:15:02", 1_795_421_702.0),
        ("2026-11-23", 1_795_392_000.0),
        ("1970-01-01 00:00:00+00", 0),
    ])
    func parsesTimestampText(text: String, seconds: Double) throws {
        let date = try Date(postgresText: text)
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test func rejectsBadTimestamps() {
        for text in ["", "yesterday", "2026-13-01 00:00:00+00", "2026-11-23 08:15", "2026-11-23 08:15:02+"] {
            #expect(throws: (any Error).self) { try Date(postgresText: text) }
        }
        #expect((try? Date(postgresText: "infinity")) == .distantFuture)
    }

    @Test func encodesAndDecodesBytea() throws {
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xff]
        #expect(bytes.postgresText == "\\x00017f80ff")
        #expect(try [UInt8](postgresText: "\\x00017F80ff") == bytes)
        #expect(try [UInt8](postgresText: "\\x") == [])
        #expect(throws: (any Error).self) { try [UInt8](postgresText: "\\x0") }
        #expect(throws: (any Error).self) { try [UInt8](postgresText: "abc") }
    }

    @Test func encodesScalars() {
        #expect(true.postgresText == "t")
        #expect(false.postgresText == "f")
        #expect(Int64.min.postgresText == "-9223372036854775808")
        #expect((1.5).postgresText == "1.5")
        let uuid = UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!
        #expect(uuid.postgresText == "e621e1f8-c36c-495a-93fc-0c247a3e6e5f")
    }

    @Test func describesDurations() {
        #expect(PoolCore.describe(.seconds(5)) == "5 s")
        #expect(PoolCore.describe(.milliseconds(250)) == "250 ms")
    }

    @Test func errorHelpersReadSQLState() {
        let error = PostgresError(kind: .server, sqlState: "23505", message: "duplicate")
        #expect(error.isUniqueViolation)
        #expect(!error.isForeignKeyViolation)
        #expect(error.description.contains("23505"))
    }
}
