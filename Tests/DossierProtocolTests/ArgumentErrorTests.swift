import Testing
@testable import DossierProtocol

@Suite("Argument errors name the argument")
struct ArgumentErrorTests {
    @Test(arguments: [
        ("DEPT ADD SH", "missing argument: name"),
        ("DEPT ADD name=x", "missing argument: code"),
        ("AUTH li.na", "missing argument: password"),
        ("AUTH", "missing argument: login"),
        ("DOSSIER NEW customer=C-2026-00001 category=HT", "missing argument: title"),
        ("DOSSIER NEW customer=C-2026-00001 category=HT title=x colour=red", "unknown argument: colour"),
        ("DOSSIER NEW customer=C-2026-00001 category=HT title=x title=y", "duplicate argument: title"),
        ("DOSSIER NEW customer=C-2026-1 category=HT title=x", "invalid customer: expected a customer number C-YYYY-NNNNN"),
        ("DOSSIER NEW customer=C-2026-00001 category=ht title=x", "invalid category: expected one of HT, BJ, DD, KH, XY, TS, HD, BG"),
        ("DOSSIER NEW customer=C-2026-00001 category=HT title=\"  \"", "invalid title: must be 1 to 500 characters"),
        ("DOSSIER NEW customer=C-2026-00001 category=HT title=x level=", "invalid level: expected one of internal, secret, confidential, top_secret"),
        ("ITEM ADD D17 title=x pages=twelve", "invalid pages: must be a whole number from 0 to 100000"),
        ("ITEM ADD D17 title=x pages=-1", "invalid pages: must be a whole number from 0 to 100000"),
        ("ITEM ADD D17 title=x pages=1.5", "invalid pages: must be a whole number from 0 to 100000"),
        ("ITEM ADD D17 title=x sha256=abc", "invalid sha256: expected 64 hexadecimal digits"),
        ("ITEM ADD D17 title=x signed_customer=true", "invalid signed_customer: expected yes or no"),
        ("ITEM ADD D0 title=x", "invalid ref: expected an archive number DEPT-CAT-YYYY-NNNN or a draft id D<n>"),
        ("ITEM ADD SH-XX-2026-0001 title=x", "invalid ref: expected an archive number DEPT-CAT-YYYY-NNNN or a draft id D<n>"),
        ("CUSTOMER FIND x limit=0", "invalid limit: must be a whole number from 1 to 1000"),
        ("CUSTOMER FIND x limit=1001", "invalid limit: must be a whole number from 1 to 1000"),
        ("CUSTOMER FIND", "missing argument: text"),
        ("CUSTOMER NEW name=x credit_code=91350100M000100Y44", "invalid credit_code: expected an 18-character unified social credit code with a valid check character"),
        ("CUSTOMER NEW name=x credit_limit=12.345", "invalid credit_limit: expected an amount in yuan such as 50.00"),
        ("CUSTOMER NEW name=x owner=Li.Na", "invalid owner: expected a login (lowercase letters, digits, '.', '_', '-')"),
        ("CUSTOMER SET C-2026-00001 reason=x", "missing argument: <field>=<value> (one of: name, kind, credit_code, legal_rep, contact, phone, email, address, industry, region, grade, credit_rating, credit_limit, owner, id_number, bank_account, consent_on, consent_scope, consent_ref)"),
        ("CUSTOMER SET C-2026-00001 colour=red reason=x", "unknown argument: colour"),
        ("CUSTOMER SET C-2026-00001 phone=1", "missing argument: reason"),
        ("CUSTOMER SET C-2026-00001 name=\"\" reason=x", "invalid name: must be 1 to 200 characters"),
        ("CUSTOMER SET C-2026-00001 owner=\"\" reason=x", "invalid owner: expected a login (lowercase letters, digits, '.', '_', '-')"),
        ("DOSSIER EDIT D1 category=BJ reason=x", "unknown argument: category"),
        ("DOSSIER EDIT D1 level=\"\" reason=x", "invalid level: expected one of internal, secret, confidential, top_secret"),
        ("CALENDAR SET 2026-02-29 holiday", "invalid date: expected a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD of at most 366 days"),
        ("CALENDAR SET 2026-02-28 weekend", "invalid kind: expected one of workday, holiday"),
        // The schema's CHECKs on these columns, mirrored (an answer naming the key, not a constraint).
        ("FOLLOWUP ADD C-2026-00001 due=2026-12-31 note=" + String(repeating: "长", count: 2001), "invalid note: must be 1 to 2000 characters"),
        ("FOLLOWUP RECORD V1 method=phone outcome=" + String(repeating: "长", count: 4001), "invalid outcome: must be 1 to 4000 characters"),
        ("FOLLOWUP RECORD V1 method=phone outcome=x objection=" + String(repeating: "长", count: 4001), "invalid objection: must be 1 to 4000 characters"),
        ("FOLLOWUP CANCEL V1 reason=" + String(repeating: "长", count: 2001), "invalid reason: must be 1 to 2000 characters"),
        ("INSPECTION CHECK D1 present note=" + String(repeating: "长", count: 2001), "invalid note: must be 1 to 2000 characters"),
        ("CALENDAR LIST month=2026-13", "invalid month: expected a month YYYY-MM"),
        ("CALENDAR LIST month=2026-13", "invalid month: expected a month YYYY-MM"),
        ("LOAN REQUEST D1 purpose=x days=1 hours=2", "conflicting arguments: days, hours (give only one)"),
        ("LOAN EXTEND L1 reason=x", "missing argument: days or hours"),
        ("LOAN EXTEND L1 days=0 reason=x", "invalid days: must be a whole number from 1 to 365"),
        ("LOAN CHECKOUT 5", "invalid loan: expected a loan id L<n>"),
        ("LOAN CHECKOUT L05", "invalid loan: expected a loan id L<n>"),
        ("LOAN LIST status=late", "invalid status: expected one of pending, approved, checked_out, returned, rejected, withdrawn, cancelled, overdue"),
        ("APPROVE 41", "invalid id: expected an approval id A<n>"),
        ("REJECT A41", "missing argument: reason"),
        ("PENALTY WAIVE A1 reason=x", "invalid id: expected a penalty id P<n>"),
        ("PENALTY RECORD li.na rule=late_filing", "invalid rule: expected a rule code such as LATE_FILING"),
        ("AUDIT LIST since=2026-03-01T09:00:00", "invalid since: expected a date YYYY-MM-DD or an ISO 8601 time with offset"),
        ("RETENTION SET KH years=5", "missing argument: trigger"),
        ("FORMAT xml", "invalid format: expected one of text, json"),
        ("FORMAT", "missing argument: format"),
        ("CUSTOMER LIST after=\"a b\"", "invalid after: expected the next= cursor of a previous listing"),
        ("FOLLOWUP CANCEL V1", "missing argument: reason"),
        ("FOLLOWUP ASSIGN V1 reason=x", "missing argument: assignee"),
        ("FOLLOWUP AUTO bought", "missing argument: auto"),
        ("CUSTOMER LIST flag=red", "invalid flag: expected one of over_limit, overdue"),
        ("CREDIT ARREARS C-2026-00001 amount=12.345 due=2026-12-31", "invalid amount: expected an amount in yuan from 0.01 to 1000000000.00, at most two decimals"),
        ("CREDIT ARREARS C-2026-00001 amount=12", "missing argument: due"),
        ("CREDIT PAY R0 amount=1", "invalid target: expected a customer number C-YYYY-NNNNN or a receivable id R<n>"),
        ("CREDIT PLAN C-2026-00001 instalments=3 first=2026-12-31 every=0d", "invalid every: expected month or a number of days from 1 to 366 such as 30d"),
    ])
    func message(line: String, expected: String) {
        #expect(parseError(line) == ProtocolError(.args, expected), "\(line)")
    }

    @Test func surplusPositionalsShowUsageNotTheText() throws {
        let error = try #require(parseError("AUTH li.na pass word"))
        #expect(error.code == .args)
        #expect(error.message == "too many arguments; usage: AUTH <login> <password>")
    }

    @Test func invalidSecretIsNotEchoed() throws {
        let long = String(repeating: "x", count: 300)
        let error = try #require(parseError("AUTH li.na \(long)"))
        #expect(error == ProtocolError(.args, "invalid password: must be 1 to 256 bytes"))
        #expect(parseError("AUTH li.na \"\"") == ProtocolError(.args, "invalid password: must be 1 to 256 bytes"))
    }

    @Test func unknownKeyBeatsMissing() {
        // A typo'd key is reported as unknown, not as the missing one it meant to be.
        #expect(parseError("DOSSIER NEW customer=C-2026-00001 category=HT titel=x") == .unknownArgument("titel"))
    }

    @Test func optionalEmptyTextIsAbsent() throws {
        #expect(try CommandParser.parse("DOSSIER SHOW D1 purpose=\"\"") == .dossierShow(DossierShow(ref: ref("D1"), purpose: nil)))
    }
}
