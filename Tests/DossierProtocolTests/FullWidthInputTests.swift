import DossierDomain
import Testing
@testable import DossierProtocol

/// Values typed with a Chinese input method in full-width mode read as their
/// ASCII; free text and passwords stay exactly as typed.
@Suite struct FullWidthInputTests {
    func parse(_ line: String) throws -> Command? { try CommandParser.parse(line, authenticated: true) }

    @Test(arguments: [
        ("LOAN REQUEST Ｄ１２ purpose=核对 days=５", "LOAN REQUEST D12 purpose=核对 days=5"),
        ("CREDIT ARREARS C－２０２６－０００１２ amount=３０００．５０ due=２０２６－１２－２０",
         "CREDIT ARREARS C-2026-00012 amount=3000.50 due=2026-12-20"),
        ("FOLLOWUP RECORD Ｖ３ method=ｐｈｏｎｅ outcome=满意 satisfaction=５", "FOLLOWUP RECORD V3 method=phone outcome=满意 satisfaction=5"),
        ("APPROVE Ａ７", "APPROVE A7"),
        ("USER ADD ｌｉ．ｎａ name=李娜 dept=ＳＨ role=rep password=s3cret", "USER ADD li.na name=李娜 dept=SH role=rep password=s3cret"),
    ])
    func typedValuesFoldToASCII(fullWidth: String, ascii: String) throws {
        #expect(try parse(fullWidth) == (try parse(ascii)))
    }

    @Test func textAndPasswordsStayAsTyped() throws {
        guard case .dossierNew(let new) = try parse("DOSSIER NEW customer=C-2026-00001 category=HT title=２０２６年ＡＢＣ合同")
        else { Issue.record("not DOSSIER NEW"); return }
        #expect(new.title == "２０２６年ＡＢＣ合同")
        #expect(try parse("AUTH li.na ｓ３ｃｒｅｔ") == .auth(Auth(login: login("li.na"), password: Password("ｓ３ｃｒｅｔ"))))
    }

    @Test func foldingLeavesEverythingElse() {
        #expect(FullWidthASCII.folded("上海　Ａ－１") == "上海　A-1")
        #expect(FullWidthASCII.folded("plain") == "plain")
    }
}
