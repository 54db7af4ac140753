import DossierConsole
import DossierProtocol
import Testing

@Suite struct ExpandedLayoutTests {
    let rows: [Row] = [
        ["id": "L1", "ref": "SH-HT-2026-0001", "borrower": "li.na", "status": "out", "due": "2026-12-01T10:00:00+08:00"],
        ["id": "L2", "ref": "SH-HT-2026-0002", "borrower": "王小明", "status": "requested", "due": ""],
    ]

    @Test func aTableWiderThanTheTerminalIsExpanded() {
        let lines = TableRenderer(maximumWidth: 40).render(rows)
        #expect(lines == [
            "-[ RECORD 1 ]----------------------",
            "id        L1",
            "ref       SH-HT-2026-0001",
            "borrower  li.na",
            "status    out",
            "due       2026-12-01T10:00:00+08:00",
            "-[ RECORD 2 ]----------------------",
            "id        L2",
            "ref       SH-HT-2026-0002",
            "borrower  王小明",
            "status    requested",
        ])
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 40 })
    }

    @Test func aTableThatFitsStaysATable() {
        let lines = TableRenderer(maximumWidth: 100).render(rows)
        #expect(lines[0].hasPrefix("id  ref"))
        #expect(lines.count == 4)
    }

    @Test func theToggleForcesEitherLayout() {
        #expect(TableRenderer(maximumWidth: 200, expanded: .on).render(rows)[0].hasPrefix("-[ RECORD 1 ]"))
        #expect(TableRenderer(maximumWidth: 20, expanded: .off).render(rows)[0].hasPrefix("id  ref"))
        #expect(ExpandedMode.auto.toggled == .on)
        #expect(ExpandedMode.on.toggled == .off)
        #expect(ExpandedMode.off.toggled == .on)
    }
}

@Suite struct HelpRendererTests {
    @Test func verbAndSummaryOnOneLineUsageBelowWrappedToTheWidth() {
        let rows = Help.response(for: .all).rows
        #expect(HelpRenderer.isHelp(rows))
        let lines = HelpRenderer(maximumWidth: 80).render(rows)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 80 }, "\(lines.filter { DisplayWidth.of($0) > 80 })")
        let new = try! #require(lines.firstIndex { $0.hasPrefix("DOSSIER NEW ") })
        #expect(lines[new].hasSuffix("Create a draft dossier."))
        #expect(lines[new + 1].hasPrefix("    DOSSIER NEW customer=C-YYYY-NNNNN"))
        // PING's usage is its name: no usage line.
        let ping = try! #require(lines.firstIndex { $0.hasPrefix("PING ") })
        #expect(!lines[ping + 1].hasPrefix("    PING"))
        // A blank line between groups.
        #expect(lines.contains(""))
    }

    @Test func chineseSummariesWrapByDisplayWidth() {
        let rows = Help.response(for: .group("USER"), language: .chinese).rows
        let lines = HelpRenderer(maximumWidth: 40).render(rows)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 40 }, "\(lines)")
        #expect(lines.contains { $0.contains("停用离职用户") })
    }

    @Test func otherRowsAreNotHelp() {
        #expect(!HelpRenderer.isHelp([["verb": "PING", "usage": "PING"]]))
        #expect(!HelpRenderer.isHelp([]))
    }

    @Test func theResponseRendererUsesIt() {
        let lines = Help.response(for: .verb(.dossierNew)).rows.map { String(TextResponseEncoder.encodeRow($0).dropLast()) } + ["OK 1"]
        let out = ResponseRenderer(table: TableRenderer(maximumWidth: 60)).render(lines)
        #expect(out.first == "DOSSIER NEW  Create a draft dossier.")
        #expect(out.last == "OK 1")
    }
}

@Suite struct TextWrapTests {
    @Test func wrapsAtSpacesWithIndentation() {
        #expect(TextWrap.wrap("aa bb cc dd", width: 8, first: "> ", rest: "  ") == ["> aa bb", "  cc dd"])
        #expect(TextWrap.wrap("aa bb", width: nil, first: "> ") == ["> aa bb"])
    }

    @Test func cutsAWordLongerThanALine() {
        let lines = TextWrap.wrap("abcdefghij", width: 4)
        #expect(lines == ["abcd", "efgh", "ij"])
    }

    @Test func chineseCountsDouble() {
        let lines = TextWrap.wrap("合同 正本 档案", width: 9)
        #expect(lines == ["合同 正本", "档案"])
    }
}

@Suite struct OutputStyleTests {
    let listing = [#"* ref=D1 title="合同, 正本""#, #"* ref=D2 title="say \"hi\"""#, "OK 2"]

    @Test func csvHasAHeaderQuotesAndNoFinalLine() {
        let out = ResponseRenderer(style: .csv).split(listing)
        #expect(out.body == ["ref,title", #"D1,"合同, 正本""#, #"D2,"say ""hi""""#])
        #expect(out.final == nil)
        #expect(out.succeeded)
    }

    @Test func csvKeepsAnAnswerWithoutRowsAndErrors() {
        #expect(ResponseRenderer(style: .csv).split(["OK D17"]).final == "OK D17")
        let failed = ResponseRenderer(style: .csv).split(["ERR DENIED no"])
        #expect(failed.final == "ERR DENIED no")
        #expect(!failed.succeeded)
    }

    @Test func jsonIsConvertedOnTheClient() {
        #expect(JSONConversion.convert(listing) == [#"{"ok":true,"message":"2","rows":[{"ref":"D1","title":"合同, 正本"},{"ref":"D2","title":"say \"hi\""}]}"#])
        #expect(JSONConversion.convert(["ERR AUTH login required"]) == [#"{"ok":false,"code":"AUTH","message":"login required"}"#])
        let already = #"{"ok":true,"message":"","rows":[]}"#
        #expect(JSONConversion.convert([already]) == [already])
    }

    @Test func errorsAreSeparatedForStandardError() {
        let out = ResponseRenderer().split(["ERR NOTFOUND no dossier D9"])
        #expect(out.body.isEmpty)
        #expect(out.final == "ERR NOTFOUND no dossier D9")
        #expect(!out.succeeded)
        let ok = ResponseRenderer().split(["* a=1", "OK 1"])
        #expect(ok.body == ["a", "-", "1"])
        #expect(ok.final == "OK 1" && ok.succeeded)
    }
}

@Suite struct CursorFollowingTests {
    @Test func findsTheCursor() {
        #expect(CursorFollowing.nextCursor("OK 50 next=c2NhbjE") == "c2NhbjE")
        #expect(CursorFollowing.nextCursor("OK 3") == nil)
        #expect(CursorFollowing.nextCursor("ERR ARGS next=x") == nil)
    }

    @Test func asksAgainWithAfter() {
        #expect(CursorFollowing.nextRequest("DOSSIER LIST category=HT limit=2", cursor: "abc")
                == "DOSSIER LIST category=HT limit=2 after=abc")
        #expect(CursorFollowing.nextRequest(#"customer list region="华东 区" after=old"#, cursor: "new")
                == #"customer list region="华东 区" after=new"#)
    }

    @Test func mergesPages() {
        #expect(CursorFollowing.merge([["* a=1", "* a=2", "OK 2 next=x"], ["* a=3", "OK 1"]])
                == ["* a=1", "* a=2", "* a=3", "OK 3"])
    }
}
