import DossierDomain
import DossierStore
import Postgres
import Testing
import TestSupport

/// The rules set-based SQL needs (migration 0014) agree with DossierDomain.
@Suite struct PenaltyRuleSQLTests {
    @Test func repeatMultiplierAndFilingDaysAgreeWithSwift() throws {
        let database = try MigratedDatabase.create()
        // As the daemon's role, as the sweep calls them.
        let daemon = try database.daemon()
        defer { daemon.close() }
        let rows = try daemon.query("""
            SELECT l.line, o AS ordinal, dossier.repeat_multiplier(l.line, o) AS multiplier,
                   dossier.filing_working_days(l.line) AS filing_days
              FROM unnest(ARRAY['sales', 'service']) AS l(line), generate_series(1, 6) AS o
            """).rows
        #expect(rows.count == 12)
        for row in rows {
            let line = try #require(StaffLine(rawValue: try row.decode("line", as: String.self)))
            let ordinal = try row.decode("ordinal", as: Int.self)
            #expect(try row.decode("multiplier", as: Int.self) == RepeatEscalation.multiplier(ordinalInMonth: ordinal, line: line),
                    "\(line) \(ordinal)")
            #expect(try row.decode("filing_days", as: Int.self) == ViolationSchedule.workingDaysToSubmit(line))
        }
    }
}
