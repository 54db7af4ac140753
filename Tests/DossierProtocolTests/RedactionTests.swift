import Testing
@testable import DossierProtocol

@Suite("Log safety")
struct RedactionTests {
    static let secret = "Sup3r-Secret!"

    @Test(arguments: [
        "AUTH li.na \(secret)",
        "USER PASSWD li.na \(secret)",
        "USER ADD li.na name=李娜 dept=SH role=rep password=\(secret)",
    ])
    func passwordsNeverPrint(line: String) throws {
        let command = try #require(try CommandParser.parse(line))
        var dumped = ""
        dump(command, to: &dumped)
        for text in [command.logSummary, "\(command)", String(describing: command), String(reflecting: command), dumped] {
            #expect(!text.contains(Self.secret), "leaked in: \(text)")
        }
        if case .auth(let auth) = command {
            var dumpedAuth = ""
            dump(auth, to: &dumpedAuth)
            for text in [String(describing: auth), String(reflecting: auth), dumpedAuth, "\(auth.password)"] {
                #expect(!text.contains(Self.secret), "leaked in: \(text)")
            }
            #expect(auth.password.revealed == Self.secret)
        }
    }

    @Test func personalDataNeverPrints() throws {
        let line = "CUSTOMER NEW name=王小明 kind=person id_number=11010519491231002X phone=13812345678 bank_account=6222021234567890123"
        let command = try #require(try CommandParser.parse(line))
        for secret in ["11010519491231002X", "13812345678", "6222021234567890123", "王小明"] {
            #expect(!command.logSummary.contains(secret), "\(command.logSummary)")
        }
        let change = try #require(try CommandParser.parse("CUSTOMER SET C-2026-00001 id_number=11010519491231002X reason=x"))
        #expect(!change.logSummary.contains("11010519491231002X"), "\(change.logSummary)")
    }

    @Test func summaries() throws {
        func summary(_ line: String) throws -> String { try #require(try CommandParser.parse(line)).logSummary }
        #expect(try summary("AUTH li.na x") == "AUTH login=li.na password=<secret>")
        #expect(try summary("PING") == "PING")
        #expect(try summary("DOSSIER NEW customer=C-2026-00001 category=HT title=\"2026 年度框架合同\" level=secret")
            == "DOSSIER NEW customer=C-2026-00001 category=HT title=<text> level=secret")
        #expect(try summary("ITEM ADD D17 title=x pages=12 signed_customer=yes") == "ITEM ADD ref=D17 title=<text> pages=12 signed_customer=yes")
        #expect(try summary("CUSTOMER SET C-2026-00001 phone=13800000000 grade=A reason=x")
            == "CUSTOMER SET customer=C-2026-00001 changes=phone,grade reason=<text>")
        #expect(try summary("CUSTOMER FIND 张三") == "CUSTOMER FIND text=<text>")
        #expect(try summary("LOAN EXTEND L5 days=2 reason=x") == "LOAN EXTEND loan=L5 days=2 reason=<text>")
        #expect(try summary("DOSSIER SUBMIT D17") == "DOSSIER SUBMIT D17")
        #expect(try summary("CALENDAR LIST month=2026-10") == "CALENDAR LIST month=2026-10")
        #expect(try summary("USER LIST dept=SH") == "USER LIST dept=SH")
        #expect(try summary("HELP dossier") == "HELP DOSSIER")
        #expect(try summary("AUDIT LIST since=2026-03-01") == "AUDIT LIST since=2026-03-01")
    }

    @Test func customerPersonalDataNeverInSummary() throws {
        let command = try #require(try CommandParser.parse(
            "CUSTOMER NEW name=张三 phone=13800000000 email=zs@example.com address=北京 contact=李四 legal_rep=王五"))
        for secret in ["张三", "13800000000", "zs@example.com", "北京", "李四", "王五"] {
            #expect(!command.logSummary.contains(secret))
            #expect(!"\(command)".contains(secret))
        }
    }
}
