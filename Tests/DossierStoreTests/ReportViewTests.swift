import DossierStore
import Foundation
import Postgres
import Testing
import TestSupport

/// The reporting schema `report` (migration 0050), read as BI logins: every
/// view follows row-level security (security_invoker), uses the protocol's
/// words and yuan, and is commented in Chinese and English.
@Suite struct ReportViewTests {
    static let views = [
        "register", "customers", "items", "loans", "approvals", "penalties", "retention_due", "destructions", "users",
        "customer_composition", "dossier_counts", "penalties_monthly", "loans_monthly",
        "followups", "followups_weekly",  // issue 15
        "credit_receivables", "credit_limits", "credit_limit_use", "arrears_ageing",  // issue 15, credit
        "inspections",  // issue 15, 盘点
    ]

    /// The fixture plus what it lacks for reports: retention dates, a hold,
    /// penalties, approvals, loans and destructions in both departments.
    struct Reports {
        let database: MigratedDatabase
        let fixture: RecordsFixture
        let department: PostgresConnection
        let company: PostgresConnection

        func close() {
            department.close()
            company.close()
        }
    }

    static func load() throws -> Reports {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        let fixture = try ReportFixture.load(into: admin)
        // A follow-up visit of one customer of each department (issue 15).
        try admin.query("""
            INSERT INTO dossier.followups (customer_id, dept_id, assignee_id, planned_by, due_on)
            SELECT c.id, c.dept_id, c.owner_id, c.owner_id, current_date
              FROM (SELECT DISTINCT ON (dept_id) * FROM dossier.customers ORDER BY dept_id, id) c
            """)
        // An arrear of one customer of each department, ten days overdue (issue 15, credit).
        try admin.query("""
            INSERT INTO dossier.credit_receivables (customer_id, dept_id, amount_fen, due_on, created_by)
            SELECT c.id, c.dept_id, 12345, current_date - 10, c.owner_id
              FROM (SELECT DISTINCT ON (dept_id) * FROM dossier.customers ORDER BY dept_id, id) c
            """)
        // A closed inspection of each department's cabinet: one dossier found
        // elsewhere than the register said, one missing (issue 15, 盘点).
        try admin.query("""
            WITH opened AS (
                INSERT INTO dossier.inspections (dept_id, opened_by, status, closed_by, closed_at)
                SELECT u.dept_id, u.id, 'closed', u.id, now() FROM dossier.users u WHERE u.login IN ('arc.sh', 'arc.bj')
                RETURNING id, dept_id, opened_by
            ), shelf AS (
                SELECT o.id AS inspection_id, o.opened_by, d.id AS dossier_id, d.dept_id,
                       row_number() OVER (PARTITION BY o.id ORDER BY d.id) AS n
                  FROM opened o JOIN dossier.dossiers d ON d.dept_id = o.dept_id
                 WHERE d.status IN ('filed', 'on_loan') AND d.level <> 'top_secret'
            )
            INSERT INTO dossier.inspection_checks
                (inspection_id, dossier_id, dept_id, result, register_location, found_location, checked_by)
            SELECT inspection_id, dossier_id, dept_id, CASE n WHEN 1 THEN 'present' ELSE 'missing' END,
                   'A-01', CASE n WHEN 1 THEN 'B-02' END, opened_by
              FROM shelf WHERE n <= 2
            """)
        let logins = try database.biLogins(createdBy: admin)
        return Reports(database: database, fixture: fixture, department: logins.department, company: logins.company)
    }

    static func departments(_ connection: PostgresConnection, _ view: String) throws -> [String] {
        try connection.query("SELECT DISTINCT department FROM report.\(view) ORDER BY 1").rows.map { try $0.decode(0, as: String.self) }
    }

    static func strings(_ connection: PostgresConnection, _ sql: String) throws -> [String] {
        try connection.query(sql).rows.map { try $0.decodeIfPresent(0, as: String.self) ?? "∅" }
    }

    @Test func everyViewIsScopedToTheLoginsDepartmentOrTheCompany() throws {
        let reports = try Self.load()
        defer { reports.close() }
        for view in Self.views {
            let expectedCompany = view == "users" ? ["BJ", "HQ", "SH"] : ["BJ", "SH"]
            #expect(try Self.departments(reports.department, view) == ["SH"], "report.\(view) as the SH login")
            #expect(try Self.departments(reports.company, view) == expectedCompany, "report.\(view) as the company login")
        }
    }

    @Test func viewsRunWithTheCallersRightsAndAreReadOnlyForBI() throws {
        let reports = try Self.load()
        defer { reports.close() }
        let admin = try reports.database.admin()
        defer { admin.close() }
        let options = try admin.query("""
            SELECT c.relname, coalesce(c.reloptions @> ARRAY['security_invoker=true'], false) AS invoker
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'report' AND c.relkind = 'v' ORDER BY 1
            """).rows
        #expect(try options.map { try $0.decode("relname", as: String.self) } == Self.views.sorted())
        #expect(try options.allSatisfy { try $0.decode("invoker", as: Bool.self) })
        #expect(throws: PostgresError.self) { try reports.department.query("DELETE FROM report.customers") }
    }

    @Test func registerShowsContentOnlyWhereThePolicyAllows() throws {
        let reports = try Self.load()
        defer { reports.close() }
        let fixture = reports.fixture
        let shLive = fixture.dossiers.filter { $0.dept == "SH" }.count
        #expect(try reports.department.query("SELECT count(*) FROM report.register").rows[0].decode(0, as: Int.self) == shLive)
        // Company-wide: every register entry, never the title of a top_secret dossier.
        #expect(try Self.strings(reports.company, "SELECT DISTINCT level FROM report.register WHERE title IS NULL") == ["top_secret"])
        #expect(try reports.company.query("SELECT count(*) FROM report.items").rows[0].decode(0, as: Int.self) > 0)
        #expect(try reports.company.query("""
            SELECT count(*) FROM report.items i JOIN report.register r USING (ref) WHERE r.level = 'top_secret'
            """).rows[0].decode(0, as: Int.self) == 0)
        // Hold, filing day and retention date.
        let held = try reports.department.query(
            "SELECT hold, retain_until IS NOT NULL AS dated, category_name FROM report.register WHERE hold").rows
        #expect(held.count == 1)
        #expect(try held.first?.decode("dated", as: Bool.self) == true)
        #expect(try held.first?.decode("category_name", as: String.self) == "合同")
        // Items: the item list of the SH dossiers whose content the login may see.
        #expect(try reports.department.query("SELECT count(*) FROM report.items").rows[0].decode(0, as: Int.self)
                == fixture.dossiers.filter { $0.dept == "SH" && $0.level != "top_secret" }.count)
    }

    @Test func customersInYuanAndComposition() throws {
        let reports = try Self.load()
        defer { reports.close() }
        let row = try reports.department.query("SELECT customer, credit_limit::text AS limit, phone, details_visible FROM report.customers").rows
        #expect(row.count == 1)
        #expect(try row[0].decode("limit", as: String.self) == "12345.67")
        #expect(try row[0].decode("phone", as: String.self) == "138****0000", "BI logins see the masked form only")
        let composition = try reports.company.query("""
            SELECT department, grade, region, industry, customers, credit_limit_total::text AS total
              FROM report.customer_composition ORDER BY department
            """).rows
        #expect(try composition.map { try $0.decode("department", as: String.self) } == ["BJ", "SH"])
        #expect(try composition.allSatisfy { try $0.decode("grade", as: String.self) == "A" && $0.decode("customers", as: Int.self) == 1 })
        #expect(try composition[0].decode("total", as: String.self) == "12345.67")
        let counts = try reports.department.query(
            "SELECT sum(dossiers)::int8 FROM report.dossier_counts WHERE category = 'HT' AND year = 2026 AND status = 'filed'").rows
        #expect(try counts[0].decode(0, as: Int.self) == reports.fixture.dossiers.filter { $0.dept == "SH" && $0.status == "filed" }.count)
    }

    @Test func loansUseTheProtocolsWordsAndOverdueHours() throws {
        let reports = try Self.load()
        defer { reports.close() }
        let rows = try reports.department.query(
            "SELECT status, overdue, hours_overdue::float8 AS hours FROM report.loans ORDER BY loan").rows
        #expect(try rows.map { try $0.decode("status", as: String.self) } == ["checked_out", "pending"])
        #expect(try rows[0].decode("overdue", as: Bool.self))
        #expect(try rows[0].decode("hours", as: Double.self) >= 47.9)
        #expect(try rows[1].decode("overdue", as: Bool.self) == false)
        let statuses = Set(try Self.strings(reports.company, "SELECT DISTINCT status FROM report.loans"))
        #expect(statuses.isSubset(of: ["pending", "approved", "checked_out", "returned", "rejected", "withdrawn", "cancelled"]))
        let monthly = try reports.department.query("SELECT sum(requested)::int8, sum(overdue)::int8 FROM report.loans_monthly").rows[0]
        #expect(try monthly.decode(0, as: Int.self) == 2)
        #expect(try monthly.decode(1, as: Int.self) == 1)
    }

    @Test func approvalsShowWhoIsWaitingButNotWhatWasAsked() throws {
        let reports = try Self.load()
        defer { reports.close() }
        let rows = try reports.department.query("SELECT * FROM report.approvals").rows
        #expect(rows.count == 1)
        #expect(try rows[0].decode("waiting_for", as: String.self) == "manager:SH")
        #expect(try rows[0].decode("open", as: Bool.self))
        let columns = try reports.department.query("""
            SELECT attname FROM pg_attribute WHERE attrelid = 'report.approvals'::regclass AND attnum > 0
            """).rows.map { try $0.decode(0, as: String.self) }
        #expect(!columns.contains("payload") && !columns.contains("reason"))
    }

    @Test func penaltiesInYuanWithTheDeductionFlag() throws {
        let reports = try Self.load()
        defer { reports.close() }
        let amounts = try Self.strings(reports.department, "SELECT amount::text FROM report.penalties ORDER BY penalty")
        #expect(amounts == ["50.00", "50.00", "100.00"])
        let month = try reports.company.query("""
            SELECT department, "user", charged, amount::text AS amount, deduction_flag
              FROM report.penalties_monthly WHERE month = '2026-03' ORDER BY department
            """).rows
        #expect(try month.map { try $0.decode("user", as: String.self) } == ["rep.bj", "rep.sh"])
        #expect(try month[0].decode("deduction_flag", as: Bool.self) == false)
        #expect(try month[1].decode("deduction_flag", as: Bool.self) == true)
        #expect(try month[1].decode("amount", as: String.self) == "200.00")
    }

    @Test func retentionDueAndTheDestructionRegister() throws {
        let reports = try Self.load()
        defer { reports.close() }
        // SH filed dossiers below top secret, past retention, except the held one.
        let due = try Self.strings(reports.department, "SELECT level FROM report.retention_due ORDER BY level")
        #expect(due == ["confidential", "secret"])
        #expect(try Self.strings(reports.company, "SELECT DISTINCT level FROM report.retention_due").contains("top_secret") == false)
        let destroyed = try reports.company.query("SELECT level, what FROM report.destructions ORDER BY department").rows
        #expect(try destroyed.map { try $0.decode("what", as: String?.self) == nil } == [true, false])
        #expect(try destroyed[0].decode("level", as: String.self) == "top_secret")
    }

    @Test func inspectionsCountWhatWasFound() throws {
        let reports = try Self.load()
        defer { reports.close() }
        let rows = try reports.department.query("""
            SELECT department, status, opened_by, checked, present, missing, damaged, moved FROM report.inspections
            """).rows
        #expect(rows.count == 1)
        #expect(try rows[0].decode("opened_by", as: String.self) == "arc.sh")
        #expect(try rows[0].decode("status", as: String.self) == "closed")
        #expect(try [rows[0].decode("checked", as: Int.self), rows[0].decode("present", as: Int.self),
                     rows[0].decode("missing", as: Int.self), rows[0].decode("damaged", as: Int.self),
                     rows[0].decode("moved", as: Int.self)] == [2, 1, 1, 0, 1])
    }

    @Test func everyViewAndColumnIsCommentedInChineseAndEnglish() throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        let comments = try admin.query("""
            SELECT c.relname || coalesce('.' || a.attname, '') AS name,
                   coalesce(CASE WHEN a.attnum IS NULL THEN obj_description(c.oid, 'pg_class')
                                 ELSE col_description(c.oid, a.attnum) END, '') AS comment
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN LATERAL (SELECT NULL::name AS attname, NULL::int2 AS attnum
                                 UNION ALL
                                 SELECT attname, attnum FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0) a ON true
             WHERE n.nspname = 'report' AND c.relkind = 'v'
            """).rows
        #expect(comments.count > Self.views.count * 5)
        for row in comments {
            let name = try row.decode("name", as: String.self)
            let comment = try row.decode("comment", as: String.self)
            let chinese = comment.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }
            let english = comment.split(separator: "/").last.map { $0.contains { $0.isASCII && $0.isLetter } } ?? false
            #expect(chinese && english, "report.\(name): \(comment)")
        }
    }
}
