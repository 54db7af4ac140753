import DossierDomain
import Testing
@testable import DossierProtocol

/// Issue 15, credit: the verbs parse into typed commands and refuse bad values naming the argument.
@Suite struct CreditParserTests {
    @Test func verbsParse() throws {
        #expect(try CommandParser.parse("CREDIT ARREARS C-2026-00001 amount=2500.5 due=2026-12-31 note=货款") ==
                .creditArrears(CreditArrears(customer: CustomerNumber("C-2026-00001")!, amount: Money("2500.50")!,
                                             due: CalendarDate("2026-12-31")!, note: "货款")))
        #expect(try CommandParser.parse("credit pay R3 amount=10 date=2026-11-30") ==
                .creditPay(CreditPay(target: .receivable(ReceivableID(3)!), amount: Money("10")!, date: CalendarDate("2026-11-30")!)))
        #expect(try CommandParser.parse("CREDIT PAY C-2026-00001 amount=0.01") ==
                .creditPay(CreditPay(target: .customer(CustomerNumber("C-2026-00001")!), amount: Money(fen: 1))))
        #expect(try CommandParser.parse("CREDIT PLAN C-2026-00001 instalments=6 first=2027-01-15 every=14d amount=600") ==
                .creditPlan(CreditPlan(customer: CustomerNumber("C-2026-00001")!, instalments: 6, first: CalendarDate("2027-01-15")!,
                                       every: .days(14), amount: Money("600")!)))
        #expect(try CommandParser.parse("CREDIT LIST status=overdue customer=C-2026-00001 limit=5") ==
                .creditList(CreditList(customer: CustomerNumber("C-2026-00001")!, status: .overdue, limit: 5)))
        #expect(try CommandParser.parse("CREDIT SHOW C-2026-00001") == .creditShow(CustomerNumber("C-2026-00001")!))
        #expect(try CommandParser.parse("CUSTOMER LIST flag=over_limit") == .customerList(CustomerList(flag: .overLimit)))
    }

    @Test func badValuesAreArgumentErrors() {
        let amount = "invalid amount: expected an amount in yuan from 0.01 to 1000000000.00, at most two decimals"
        let cases: [(String, String)] = [
            ("CREDIT ARREARS C-2026-00001 amount=0 due=2026-12-31", amount),
            ("CREDIT ARREARS C-2026-00001 amount=-1 due=2026-12-31", amount),
            ("CREDIT ARREARS C-2026-00001 amount=1.001 due=2026-12-31", amount),
            ("CREDIT ARREARS C-2026-00001 amount=1000000000.01 due=2026-12-31", amount),
            ("CREDIT ARREARS C-2026-00001 due=2026-12-31", "missing argument: amount"),
            ("CREDIT ARREARS C-2026-00001 amount=1 due=2026-13-01", "invalid due: expected a date YYYY-MM-DD"),
            ("CREDIT PAY RP1 amount=1", "invalid target: expected a customer number C-YYYY-NNNNN or a receivable id R<n>"),
            ("CREDIT PAY R1 amount=1 date=tomorrow", "invalid date: expected a date YYYY-MM-DD"),
            ("CREDIT PLAN C-2026-00001 first=2026-12-31", "missing argument: instalments"),
            ("CREDIT PLAN C-2026-00001 instalments=121 first=2026-12-31", "invalid instalments: must be a whole number from 1 to 120"),
            ("CREDIT PLAN C-2026-00001 instalments=2 first=2026-12-31 every=year",
             "invalid every: expected month or a number of days from 1 to 366 such as 30d"),
            ("CREDIT LIST status=late", "invalid status: expected one of due, overdue, paid, planned, open"),
            ("CUSTOMER LIST flag=bad", "invalid flag: expected one of over_limit, overdue"),
        ]
        for (line, message) in cases {
            let error = parseError(line)
            #expect(error?.code == .args && error?.message == message, "\(line) → \(String(describing: error))")
            #expect(MessageCatalog.translate(message, to: .chinese) != message, "\(message)")
        }
    }

    @Test func notesStayOutOfLogs() throws {
        let command = try #require(try CommandParser.parse("CREDIT ARREARS C-2026-00001 amount=10 due=2026-12-31 note=\"张先生 13800000000\""))
        #expect(command.logSummary == "CREDIT ARREARS customer=C-2026-00001 amount=10.00 due=2026-12-31 note=<text>")
    }
}
