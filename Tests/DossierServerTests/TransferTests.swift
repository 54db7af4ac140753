import DossierDomain
import DossierProtocol
import DossierServer
import Foundation
import Postgres
import Testing
import TestSupport

/// `dossierd import customers` and `dossierd export …` through their library
/// code on the daemon's own login: encodings, all-or-nothing import, and
/// exports scoped exactly as the protocol's listing verbs, each audited.
@Suite struct TransferTests {
    struct Setup {
        let database: MigratedDatabase
        let fixture: RecordsFixture
        let admin: PostgresConnection
        let daemon: PostgresConnection
        let year: Int

        func close() {
            admin.close()
            daemon.close()
        }

        func count(_ sql: String) throws -> Int {
            try admin.query(sql).rows[0].decode(0, as: Int.self)
        }
    }

    static func setUp(reports: Bool = false) throws -> Setup {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        let fixture = reports ? try ReportFixture.load(into: admin) : try RecordsFixture.load(into: admin)
        // The fixture's customers took numbers 1 and 2 of this year.
        try admin.execute(script: """
            INSERT INTO dossier.customer_counters (year, last_no) VALUES (extract(year FROM now())::int, 2)
            ON CONFLICT (year) DO UPDATE SET last_no = 2
            """)
        let year = try admin.query("SELECT extract(year FROM now())::int").rows[0].decode(0, as: Int.self)
        return Setup(database: database, fixture: fixture, admin: admin, daemon: try database.daemon(), year: year)
    }

    static func creditCode(_ n: Int) -> String {
        let digits = String(n)
        let first17 = "91310000" + String(repeating: "0", count: 9 - digits.count) + digits
        return first17 + String(CreditCode.checkCharacter(for: first17)!)
    }

    static let chineseHeader = "客户名称,统一社会信用代码,法定代表人,联系人,电话,邮箱,地址,行业,地区,等级,信用额度"

    static func chineseList(_ range: ClosedRange<Int>) -> String {
        ([chineseHeader] + range.map { n in
            "上海华信贸易有限公司\(n),\(creditCode(n)),张三,李四,021-5555\(n),li\(n)@example.com,\"上海市浦东新区, \(n) 号\",制造,华东,A,\"50,000.00\""
        }).joined(separator: "\r\n") + "\r\n"
    }

    // MARK: Encodings

    @Test func encodingsOfExcelFiles() throws {
        #expect(try TextEncoding.gbk.encode("客户名称") == [0xBF, 0xCD, 0xBB, 0xA7, 0xC3, 0xFB, 0xB3, 0xC6])
        let gbk: [UInt8] = [0xBF, 0xCD, 0xBB, 0xA7, 0x2C, 0x41]
        #expect(try TextEncoding.gbk.decode(gbk) == "客户,A")
        #expect(try TextEncoding.auto.decode(gbk) == "客户,A")
        #expect(try TextEncoding.auto.decode([0xEF, 0xBB, 0xBF] + Array("客户".utf8)) == "客户")
        #expect(try TextEncoding.utf8.decode(Array("客户".utf8)) == "客户")
        #expect(throws: TextEncoding.Failure.self) { try TextEncoding.utf8.decode(gbk) }
        #expect(try TextEncoding.utf8.encode("a").starts(with: [0xEF, 0xBB, 0xBF]))
        let records = CSV.parse("a,\"b, \"\"c\"\"\"\r\n\r\n\"x\ny\",z\n")
        #expect(records.map(\.fields) == [["a", "b, \"c\""], ["x\ny", "z"]])
        #expect(records.map(\.line) == [1, 3])
        #expect(CSV.write(header: ["h"], rows: [["=1+1"], ["a,b"]]) == "h\r\n'=1+1\r\n\"a,b\"\r\n")
    }

    // MARK: Import

    @Test func importsAUTF8FileWithBOMInFileOrderWithAuditRows() throws {
        let setup = try Self.setUp()
        defer { setup.close() }
        let bytes = [0xEF, 0xBB, 0xBF] + Array(Self.chineseList(1...3).utf8)
        let outcome = try CustomerImport.run(bytes: bytes, encoding: .auto, dryRun: false, as: "rep.sh",
                                             fileName: "客户.csv", personalData: .test, on: setup.daemon)
        #expect(outcome.errors.isEmpty)
        #expect(outcome.committed)
        #expect(outcome.numbers == (3...5).map { CustomerNumber(year: setup.year, sequence: $0)!.description })
        let rows = try setup.admin.query("""
            SELECT c.number, c.name, u.login, cd.credit_code, cd.address_masked AS address, cd.grade, cd.credit_limit_fen, cd.legal_rep
              FROM dossier.customers c JOIN dossier.users u ON u.id = c.owner_id
              JOIN dossier.customer_details cd ON cd.customer_id = c.id
             WHERE c.number = ANY ($1::text[]) ORDER BY c.number
            """, ["{" + outcome.numbers.joined(separator: ",") + "}"]).rows
        #expect(try rows.map { try $0.decode("name", as: String.self) } == (1...3).map { "上海华信贸易有限公司\($0)" })
        #expect(try rows.allSatisfy { try $0.decode("login", as: String.self) == "rep.sh" })
        #expect(try rows[0].decode("credit_code", as: String.self) == Self.creditCode(1))
        // Sealed at rest (issue 16): the table holds the mask; CUSTOMER SHOW opens it.
        #expect(try rows[0].decode("address", as: String.self) == "上海市浦东新****")
        #expect(try rows[0].decode("credit_limit_fen", as: Int64.self) == 5_000_000)
        #expect(try setup.count("SELECT count(*) FROM dossier.audit_log WHERE action = 'customer.new'") == 3)
        #expect(try setup.count("SELECT count(*) FROM dossier.audit_log WHERE action = 'customer.import' AND target = '客户.csv' AND login = 'rep.sh'") == 1)
    }

    @Test func importsAGBKFileAndEnglishHeadings() throws {
        let setup = try Self.setUp()
        defer { setup.close() }
        let gbk = try TextEncoding.gbk.encode(Self.chineseList(11...12))
        #expect(String(validating: gbk, as: UTF8.self) == nil, "the file really is GBK")
        for encoding in [TextEncoding.gbk, .auto] {
            let dry = try CustomerImport.run(bytes: gbk, encoding: encoding, dryRun: true, as: "rep.sh", fileName: "gbk.csv", personalData: .test, on: setup.daemon)
            #expect(dry.errors.isEmpty && !dry.committed && dry.rows == 2)
        }
        let outcome = try CustomerImport.run(bytes: gbk, encoding: .gbk, dryRun: false, as: "rep.sh", fileName: "gbk.csv", personalData: .test, on: setup.daemon)
        #expect(outcome.committed)
        #expect(try setup.count("SELECT count(*) FROM dossier.customers WHERE name LIKE '上海华信贸易有限公司1_'") == 2)

        let english = "Name,Credit Code,Contact,Phone,Grade,Credit-Limit,Owner\nAcme 上海,\(Self.creditCode(21).lowercased()),王五,138,vip,1200,rep.sh\n"
        let second = try CustomerImport.run(bytes: Array(english.utf8), encoding: .utf8, dryRun: false, as: "mgr.sh",
                                            fileName: "en.csv", personalData: .test, on: setup.daemon)
        #expect(second.errors.isEmpty && second.committed)
        let row = try setup.admin.query("""
            SELECT u.login, cd.grade, cd.credit_limit_fen FROM dossier.customers c JOIN dossier.users u ON u.id = c.owner_id
              JOIN dossier.customer_details cd ON cd.customer_id = c.id WHERE c.name = 'Acme 上海'
            """).rows[0]
        #expect(try row.decode("login", as: String.self) == "rep.sh")
        #expect(try row.decode("grade", as: String.self) == "VIP")
        #expect(try row.decode("credit_limit_fen", as: Int64.self) == 120_000)
    }

    @Test func aFileWithBadRowsImportsNothingAndNamesEachRow() throws {
        let setup = try Self.setUp()
        defer { setup.close() }
        // An existing customer with credit code 31.
        _ = try CustomerImport.run(bytes: Array("客户名称,统一社会信用代码\n老客户,\(Self.creditCode(31))\n".utf8), encoding: .utf8,
                                   dryRun: false, as: "rep.sh", fileName: "old.csv", personalData: .test, on: setup.daemon)
        let customersBefore = try setup.count("SELECT count(*) FROM dossier.customers")
        let auditBefore = try setup.count("SELECT count(*) FROM dossier.audit_log")
        let wrong = String(Self.creditCode(32).dropLast()) + (Self.creditCode(32).hasSuffix("0") ? "1" : "0")
        let file = """
            客户名称,统一社会信用代码,等级,信用额度
            好客户,\(Self.creditCode(33)),A,100
            错码,\(wrong),A,100
            ,\(Self.creditCode(34)),A,100
            重复文件内,\(Self.creditCode(33)),B,1
            已存在,\(Self.creditCode(31)),B,1
            等级错,\(Self.creditCode(35)),Z,1
            额度错,\(Self.creditCode(36)),A,很多

            """
        for dryRun in [true, false] {
            let outcome = try CustomerImport.run(bytes: Array(file.utf8), encoding: .utf8, dryRun: dryRun, as: "rep.sh",
                                                 fileName: "bad.csv", personalData: .test, on: setup.daemon)
            #expect(!outcome.committed)
            #expect(outcome.rows == 7)
            #expect(outcome.errors.map(\.line) == [3, 4, 5, 6, 7, 8], "\(outcome.errors)")
            #expect(outcome.errors[0].message.hasPrefix("ERR ARGS") && outcome.errors[0].message.contains("credit_code"))
            #expect(outcome.errors[1].message.contains("name"))
            #expect(outcome.errors[2].message.contains("line 2"))
            #expect(outcome.errors[3].message.hasPrefix("ERR CONFLICT"))
            // Each refusal names the sheet's column it is about, as the clerk's file heads it.
            #expect(outcome.errors.map(\.column) == ["统一社会信用代码", "客户名称", "统一社会信用代码", "统一社会信用代码", "等级", "信用额度"],
                    "\(outcome.errors)")
            #expect(outcome.errors[4].description.hasPrefix("line 7 (等级): ERR ARGS invalid grade"), "\(outcome.errors[4])")
        }
        // An owner the owner rule refuses is the 负责人 column's.
        let unknownOwner = try CustomerImport.run(bytes: Array("客户名称,负责人\n丙公司,nobody\n".utf8), encoding: .utf8, dryRun: true,
                                                  as: "rep.sh", fileName: "owner.csv", personalData: .test, on: setup.daemon)
        #expect(unknownOwner.errors.map(\.column) == ["负责人"], "\(unknownOwner.errors)")
        #expect(unknownOwner.errors.first?.refusal.code == .notFound, "\(unknownOwner.errors)")
        #expect(try setup.count("SELECT count(*) FROM dossier.customers") == customersBefore)
        #expect(try setup.count("SELECT count(*) FROM dossier.audit_log") == auditBefore)
        // The numbers were not used up: the next customer gets the next one.
        let next = try CustomerImport.run(bytes: Array("name\n下一个\n".utf8), encoding: .utf8, dryRun: false, as: "rep.sh",
                                          fileName: "n.csv", personalData: .test, on: setup.daemon)
        #expect(next.numbers == [CustomerNumber(year: setup.year, sequence: 4)!.description])
    }

    @Test func importRefusesUnknownHeadingsRolesAndLogins() throws {
        let setup = try Self.setUp()
        defer { setup.close() }
        #expect(throws: CustomerImport.FileError.self) {
            try CustomerImport.run(bytes: Array("客户名称,价格\nx,1\n".utf8), encoding: .utf8, dryRun: true, as: "rep.sh",
                                   fileName: "x.csv", personalData: .test, on: setup.daemon)
        }
        #expect(throws: CustomerImport.FileError.self) {
            try CustomerImport.run(bytes: [0xBF, 0xCD], encoding: .utf8, dryRun: true, as: "rep.sh", fileName: "x.csv", personalData: .test, on: setup.daemon)
        }
        let denied = #expect(throws: ProtocolError.self) {
            try CustomerImport.run(bytes: Array("name\nx\n".utf8), encoding: .utf8, dryRun: false, as: "aud",
                                   fileName: "x.csv", personalData: .test, on: setup.daemon)
        }
        #expect(denied?.code == .denied)
        let unknown = #expect(throws: ProtocolError.self) {
            try CustomerImport.run(bytes: Array("name\nx\n".utf8), encoding: .utf8, dryRun: false, as: "nobody",
                                   fileName: "x.csv", personalData: .test, on: setup.daemon)
        }
        #expect(unknown?.code == .auth)
    }

    @Test func tenThousandRowsImportInSeconds() throws {
        let setup = try Self.setUp()
        defer { setup.close() }
        let file = Self.chineseList(1_000...10_999)
        let started = ContinuousClock.now
        let outcome = try CustomerImport.run(bytes: Array(file.utf8), encoding: .auto, dryRun: false, as: "rep.sh",
                                             fileName: "big.csv", personalData: .test, on: setup.daemon)
        let elapsed = ContinuousClock.now - started
        #expect(outcome.committed && outcome.numbers.count == 10_000)
        print("import of 10,000 customers: \(elapsed)")
        // Their phones, e-mails and addresses are sealed: rotating all of them to a new key.
        let rotationStarted = ContinuousClock.now
        let rotated = try DataKeyMaintenance.rotate(PersonalData(keyring: TestDataKeys.both), batch: 500, on: setup.daemon)
        #expect(rotated == 10_000)
        print("key rotation of 10,000 customers (batches of 500): \(ContinuousClock.now - rotationStarted)")
    }

    // MARK: Export

    static func refs(_ table: Export.Table) -> Set<String> {
        guard let column = table.header.firstIndex(of: "ref") else { return [] }
        return Set(table.rows.map { $0[column] })
    }

    /// Every heading of an export has a Chinese name (`ExportHeadings`): none is left a protocol key.
    static func expectChineseHeadings(_ table: Export.Table, sourceLocation: SourceLocation = #_sourceLocation) {
        let headings = ExportHeadings.table(table, in: .chinese).header
        #expect(!table.header.isEmpty, sourceLocation: sourceLocation)
        #expect(headings.allSatisfy { $0.unicodeScalars.contains { $0.value >= 0x4E00 } }, "\(headings)", sourceLocation: sourceLocation)
        #expect(ExportHeadings.table(table, in: .english) == table, sourceLocation: sourceLocation)
    }

    @Test func registerExportIsDossierListForThatUser() throws {
        let setup = try Self.setUp()
        defer { setup.close() }
        for login in ["rep.sh", "mgr.bj", "dir", "aud"] {
            let user = setup.fixture.user(login)
            let expected = Set(setup.fixture.dossiers.filter { VisibilityOracle.register(user, $0) }.map { "D\($0.id)" })
            let table = try Export.table(.init(kind: .register), as: login, on: setup.daemon)
            #expect(Self.refs(table) == expected, "register as \(login)")
            #expect(Array(table.header.prefix(3)) == ["ref", "number", "category"])
            Self.expectChineseHeadings(table)
        }
        #expect(try setup.count("SELECT count(*) FROM dossier.audit_log WHERE action = 'export.register'") == 4)
        let admin = #expect(throws: ProtocolError.self) { try Export.table(.init(kind: .register), as: "adm", on: setup.daemon) }
        #expect(admin?.code == .denied)
    }

    @Test func itemListExportFollowsContentVisibility() throws {
        let setup = try Self.setUp()
        defer { setup.close() }
        let dossier = setup.fixture.dossiers.first { $0.owner == "rep.sh" && $0.level == "secret" && $0.status == "filed" }!
        let table = try Export.table(.init(kind: .items, ref: "D\(dossier.id)"), as: "rep.sh", on: setup.daemon)
        #expect(table.header == ["item", "title", "pages", "medium", "location", "uri", "sha256", "signed_customer", "signed_internal"])
        Self.expectChineseHeadings(table)
        #expect(table.rows.map { $0[1] } == ["正本"])
        // Another department's rep sees the register entry only: DENIED, and no audit row.
        let auditBefore = try setup.count("SELECT count(*) FROM dossier.audit_log")
        let refused = #expect(throws: ProtocolError.self) {
            try Export.table(.init(kind: .items, ref: "D\(dossier.id)"), as: "rep.bj", on: setup.daemon)
        }
        #expect(refused?.code == .denied)
        #expect(try setup.count("SELECT count(*) FROM dossier.audit_log") == auditBefore)
        let missing = #expect(throws: ProtocolError.self) { try Export.table(.init(kind: .items), as: "rep.sh", on: setup.daemon) }
        #expect(missing?.code == .args)
    }

    @Test func loansPenaltiesAndDestructionsAreScoped() throws {
        let setup = try Self.setUp(reports: true)
        defer { setup.close() }
        func column(_ table: Export.Table, _ name: String) -> [String] {
            guard let index = table.header.firstIndex(of: name) else { return [] }
            return table.rows.map { $0[index] }
        }
        // Loans: the department's manager sees its loans, a rep only their own.
        let managerLoans = try Export.table(.init(kind: .loans), as: "mgr.sh", on: setup.daemon)
        #expect(managerLoans.rows.count == 2)
        Self.expectChineseHeadings(managerLoans)
        Self.expectChineseHeadings(try Export.table(.init(kind: .penalties, month: "2026-03"), as: "aud", on: setup.daemon))
        Self.expectChineseHeadings(try Export.table(.init(kind: .penaltyReport, month: "2026-03"), as: "aud", on: setup.daemon))
        Self.expectChineseHeadings(try Export.table(.init(kind: .destructions), as: "dir", on: setup.daemon))
        #expect(Set(column(managerLoans, "status")) == ["checked_out", "pending"])
        #expect(try Export.table(.init(kind: .loans), as: "rep2.sh", on: setup.daemon).rows.count == 1)
        #expect(try Export.table(.init(kind: .loans), as: "rep.bj", on: setup.daemon).rows.isEmpty)
        // Penalties of March 2026: the SH manager SH's, rep.bj their own, the auditor all.
        #expect(column(try Export.table(.init(kind: .penalties, month: "2026-03"), as: "mgr.sh", on: setup.daemon), "amount")
                == ["50.00", "50.00", "100.00"])
        #expect(try Export.table(.init(kind: .penalties, month: "2026-03"), as: "rep.bj", on: setup.daemon).rows.count == 1)
        #expect(try Export.table(.init(kind: .penalties, month: "2026-03"), as: "aud", on: setup.daemon).rows.count == 4)
        let report = try Export.table(.init(kind: .penaltyReport, month: "2026-03"), as: "aud", on: setup.daemon)
        #expect(column(report, "flagged").contains("1"))
        let badMonth = #expect(throws: ProtocolError.self) {
            try Export.table(.init(kind: .penalties, month: "2026-13"), as: "aud", on: setup.daemon)
        }
        #expect(badMonth?.code == .args)
        // Destruction register: the department's archivist, a director everything, a rep nothing (role).
        #expect(column(try Export.table(.init(kind: .destructions), as: "arc.sh", on: setup.daemon), "dept") == ["SH"])
        #expect(try Export.table(.init(kind: .destructions), as: "dir", on: setup.daemon).rows.count == 2)
        let rep = #expect(throws: ProtocolError.self) { try Export.table(.init(kind: .destructions), as: "rep.sh", on: setup.daemon) }
        #expect(rep?.code == .denied)
        #expect(try setup.count("SELECT count(*) FROM dossier.audit_log WHERE action LIKE 'export.%'") == 12)
    }

    @Test func handoverListExport() throws {
        let setup = try Self.setUp()
        defer { setup.close() }
        try setup.admin.execute(script: """
            WITH h AS (
                INSERT INTO dossier.handovers (dept_id, leaver_id, successor_id, performed_by, customers, dossiers)
                SELECT l.dept_id, l.id, s.id, a.id, 1, 1 FROM dossier.users l, dossier.users s, dossier.users a
                 WHERE l.login = 'rep2.sh' AND s.login = 'rep.sh' AND a.login = 'adm' RETURNING id)
            INSERT INTO dossier.handover_items (handover_id, object_kind, object_id, reference)
            SELECT h.id, k, n, r FROM h, (VALUES ('customer', 1, 'C-2026-00001'), ('dossier', 3, 'SH-HT-2026-0003')) v(k, n, r)
            """)
        let table = try Export.table(.init(kind: .handover, leaver: "rep2.sh"), as: "mgr.sh", on: setup.daemon)
        #expect(table.rows.map { $0[table.header.firstIndex(of: "reference")!] } == ["SH-HT-2026-0003", "C-2026-00001"])
        #expect(table.rows.allSatisfy { $0[table.header.firstIndex(of: "successor")!] == "rep.sh" })
        Self.expectChineseHeadings(table)
        let other = #expect(throws: ProtocolError.self) {
            try Export.table(.init(kind: .handover, leaver: "rep2.sh"), as: "mgr.bj", on: setup.daemon)
        }
        #expect(other?.code == .notFound)
    }

    @Test func fileFormatsAndAGBKRoundTrip() throws {
        let setup = try Self.setUp()
        defer { setup.close() }
        let gbk = try TextEncoding.gbk.encode(Self.chineseList(41...42))
        #expect(try CustomerImport.run(bytes: gbk, encoding: .auto, dryRun: false, as: "rep.sh", fileName: "in.csv", personalData: .test, on: setup.daemon).committed)
        let table = try Export.table(.init(kind: .customers), as: "rep.sh", personalData: .test, on: setup.daemon)
        #expect(table.header.first == "客户编号" && table.header.contains("统一社会信用代码"))
        // Company-wide directory (4 customers), details only of the caller's own.
        #expect(table.rows.count == 4)
        let codes = table.rows.map { $0[table.header.firstIndex(of: "统一社会信用代码")!] }
        #expect(codes.filter { !$0.isEmpty } == [Self.creditCode(41), Self.creditCode(42)])
        let bjRow = table.rows.first { $0[table.header.firstIndex(of: "部门")!] == "BJ" }!
        #expect(bjRow[table.header.firstIndex(of: "电话")!] == "", "rep.sh does not see BJ's details")

        let gbkFile = try Export.encode(table, format: .csv(.gbk), sheetName: "customers")
        #expect(try TextEncoding.gbk.decode(gbkFile).hasPrefix("客户编号,客户名称"))
        let utf8File = try Export.encode(table, format: .csv(.utf8), sheetName: "customers")
        #expect(utf8File.starts(with: [0xEF, 0xBB, 0xBF]))

        // The exported GBK list imports into a fresh database with the same data.
        let fresh = try Self.setUp()
        defer { fresh.close() }
        let mine = Export.Table(header: table.header, rows: table.rows.filter { !$0[3].isEmpty })
        let again = try CustomerImport.run(bytes: try Export.encode(mine, format: .csv(.gbk), sheetName: "c"), encoding: .auto,
                                           dryRun: false, as: "rep.sh", fileName: "roundtrip.csv", personalData: .test, on: fresh.daemon)
        #expect(again.committed, "\(again.errors)")
        let back = try Export.table(.init(kind: .customers), as: "rep.sh", personalData: .test, on: fresh.daemon)
        let dropNumbers = { (t: Export.Table) in t.rows.filter { !$0[3].isEmpty }.map { Array($0.dropFirst()) } }
        #expect(dropNumbers(back) == dropNumbers(table))

        // .xlsx: a ZIP with the sheet, readable by Python's zipfile.
        let xlsx = try Export.encode(table, format: .xlsx, sheetName: "customers")
        #expect(xlsx.starts(with: [0x50, 0x4B, 0x03, 0x04]))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Data(xlsx))
        let check = try PythonPsycopg.run("""
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
            print(sorted(z.namelist()))
            print("上海华信贸易有限公司41" in sheet, "客户编号" in sheet)
            """, [path])
        #expect(check.status == 0 && check.output.contains("True True"), "\(check.output)")
    }
}

/// The subcommands as an operator types them: `dossierd import customers` and
/// `dossierd export`, round-tripping a GBK customer list.
@Suite struct TransferCommandTests {
    @Test func gbkCustomerListRoundTripsThroughTheCommands() async throws {
        let database = try MigratedDatabase.create()
        let admin = try database.admin()
        defer { admin.close() }
        _ = try RecordsFixture.load(into: admin)
        try admin.execute(script: """
            INSERT INTO dossier.customer_counters (year, last_no) VALUES (extract(year FROM now())::int, 2)
            ON CONFLICT (year) DO UPDATE SET last_no = 2
            """)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("transfer-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/客户.csv"
        FileManager.default.createFile(atPath: input, contents: Data(try TextEncoding.gbk.encode(TransferTests.chineseList(51...52))))
        let url = ["--database-url", database.daemonConninfo]

        let dry = try DaemonProcess(arguments: ["import", "customers", "--file", input, "--dry-run", "--as", "rep.sh"] + url)
        #expect(await dry.waitForExit() == 0, "\(dry.text)")
        #expect(dry.text.contains("dry run: 2 rows are fine"), "\(dry.text)")
        let real = try DaemonProcess(arguments: ["import", "customers", "--file", input, "--encoding", "gbk", "--as", "rep.sh"] + url)
        #expect(await real.waitForExit() == 0, "\(real.text)")
        #expect(real.text.contains("imported 2 customers"), "\(real.text)")
        let again = try DaemonProcess(arguments: ["import", "customers", "--file", input, "--as", "rep.sh"] + url)
        #expect(await again.waitForExit() == 1, "\(again.text)")
        #expect(again.text.contains("line 2 (统一社会信用代码): ERR CONFLICT"), "\(again.text)")
        // In Chinese for a Chinese clerk (--lang, else the locale): the code stays, the message and the summary are translated.
        let chinese = try DaemonProcess(arguments: ["import", "customers", "--file", input, "--as", "rep.sh", "--lang", "zh-CN"] + url)
        #expect(await chinese.waitForExit() == 1, "\(chinese.text)")
        #expect(chinese.text.contains("第 2 行（统一社会信用代码）：ERR CONFLICT 已有使用此信用代码的客户"), "\(chinese.text)")
        #expect(chinese.text.contains("2 行中有 2 行被拒绝；未导入任何数据"), "\(chinese.text)")
        let byLocale = try DaemonProcess(arguments: ["import", "customers", "--file", input, "--as", "rep.sh"] + url,
                                         environment: ProcessInfo.processInfo.environment.merging(
                                             ["LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": "",
                                              "DOSSIER_DATA_KEY_FILE": TestDataKeyFile.path]) { $1 })
        #expect(await byLocale.waitForExit() == 1, "\(byLocale.text)")
        #expect(byLocale.text.contains("第 3 行（统一社会信用代码）：ERR CONFLICT"), "\(byLocale.text)")

        let output = directory + "/out.csv"
        let export = try DaemonProcess(arguments: ["export", "customers", "--as", "rep.sh", "--output", output, "--encoding", "gbk"] + url)
        #expect(await export.waitForExit() == 0, "\(export.text)")
        let text = try TextEncoding.gbk.decode(Array(try Data(contentsOf: URL(fileURLWithPath: output))))
        #expect(text.hasPrefix("客户编号,客户名称,类型,统一社会信用代码"))
        #expect(text.contains("上海华信贸易有限公司51") && text.contains(TransferTests.creditCode(52)))
        // Personal data opened: readable by its owner only.
        #expect(try FileManager.default.attributesOfItem(atPath: output)[.posixPermissions] as? NSNumber == 0o600)

        // The register in Chinese headings for a Chinese office (--lang zh-CN, else the locale).
        let chineseRegister = directory + "/档案目录.csv"
        let headed = try DaemonProcess(arguments: ["export", "register", "--as", "mgr.sh", "--output", chineseRegister,
                                                   "--encoding", "gbk", "--lang", "zh-CN"] + url)
        #expect(await headed.waitForExit() == 0, "\(headed.text)")
        #expect(headed.text.contains("已写入"), "\(headed.text)")
        let registerText = try TextEncoding.gbk.decode(Array(try Data(contentsOf: URL(fileURLWithPath: chineseRegister))))
        #expect(registerText.hasPrefix("档案,档号,类别,部门,密级,范围,状态,负责人,年度,题名,客户编号"), "\(registerText.prefix(80))")

        let xlsx = directory + "/register.xlsx"
        let register = try DaemonProcess(arguments: ["export", "register", "--as", "mgr.sh", "--output", xlsx] + url)
        #expect(await register.waitForExit() == 0, "\(register.text)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: xlsx)).starts(with: [0x50, 0x4B, 0x03, 0x04]))
        let denied = try DaemonProcess(arguments: ["export", "destructions", "--as", "rep.sh", "--output", "-"] + url)
        #expect(await denied.waitForExit() != 0)
        #expect(denied.text.contains("ERR DENIED"), "\(denied.text)")
        #expect(try admin.query("SELECT count(*) FROM dossier.audit_log WHERE action IN ('export.customers', 'export.register')")
                    .rows[0].decode(0, as: Int.self) == 3)
    }
}
