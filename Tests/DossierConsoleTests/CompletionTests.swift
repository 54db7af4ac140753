import DossierConsole
import DossierProtocol
import Testing

/// Completion reads the rows the server's `HELP` sends — here the very rows
/// `Help.response` builds from the command table.
@Suite struct CompletionTests {
    let completer = Completer(table: CompletionTable(helpRows: Help.response(for: .all).rows),
                              metaCommands: MetaCommand.names)

    func candidates(_ prefix: String) -> [String] { completer.complete(prefix).candidates }

    @Test func verbsAndGroups() {
        #expect(candidates("DOSS") == ["DOSSIER"])
        #expect(candidates("dos") == ["DOSSIER"])
        #expect(Set(candidates("P")) == ["PING", "PENALTY"])
        #expect(candidates("").contains("LANG"))
        #expect(candidates(#"\"#) == MetaCommand.names)
    }

    @Test func subverbs() {
        #expect(candidates("DOSSIER ") == ["NEW", "SUBMIT", "SHOW", "LIST", "EDIT", "HISTORY", "DELETE", "RESTORE"])
        #expect(candidates("loan ch") == ["CHECKOUT"])
    }

    @Test func keysNotYetGiven() {
        #expect(candidates("DOSSIER NEW ") == ["customer=", "category=", "title=", "level=", "scope=", "location="])
        #expect(candidates("DOSSIER NEW customer=C-2026-00001 c") == ["category="])
        #expect(candidates("LOAN REQUEST SH-HT-2026-0001 ") == ["purpose=", "days=", "hours=", "mode="])
    }

    @Test func enumValues() {
        #expect(candidates("DOSSIER NEW category=") == ["category=HT", "category=BJ", "category=DD", "category=KH",
                                                        "category=XY", "category=TS", "category=HD", "category=BG"])
        #expect(candidates("DOSSIER LIST status=f") == ["status=filed"])
        #expect(candidates("DOSSIER NEW level=t") == ["level=top_secret"])
        #expect(candidates("LOAN RETURN L1 complete=") == ["complete=yes", "complete=no"])
        #expect(candidates("FORMAT ") == ["text", "json"])
        #expect(candidates("LANG z") == ["zh-CN"])
        // Free values have nothing to offer.
        #expect(candidates("DOSSIER NEW title=") == [])
    }

    @Test func changeFieldsFromTheSummary() {
        let keys = candidates("CUSTOMER SET C-2026-00001 ")
        #expect(keys.contains("reason="))
        #expect(keys.contains("credit_limit="))
        #expect(candidates("DOSSIER EDIT D1 sc") == ["scope="])
    }

    @Test func nothingInsideQuotes() {
        #expect(candidates(#"DOSSIER NEW title="合同 "#) == [])
    }

    @Test func tabInsertsOneCandidateOrTheCommonPrefixOrLists() {
        var state = LineEditState()
        _ = state.apply(.text("doss"))
        #expect(state.complete(with: completer) == .changed)
        #expect(state.text == "DOSSIER ")
        _ = state.apply(.text("NEW cat"))
        #expect(state.complete(with: completer) == .changed)
        #expect(state.text == "DOSSIER NEW category=")
        #expect(state.complete(with: completer) == .candidates(["category=HT", "category=BJ", "category=DD", "category=KH",
                                                               "category=XY", "category=TS", "category=HD", "category=BG"]))
        _ = state.apply(.text("H"))
        if case .candidates(let listed) = state.complete(with: completer) {
            #expect(listed == ["category=HT", "category=HD"])
        } else {
            Issue.record("expected a list")
        }
    }

    @Test func completionInTheMiddleKeepsTheRest() {
        var state = LineEditState()
        _ = state.apply(.text("LOAN  L1"))
        _ = state.apply(.home)
        for _ in 0..<5 { _ = state.apply(.right) }
        _ = state.apply(.text("RET"))
        #expect(state.complete(with: completer) == .changed)
        #expect(state.text == "LOAN RETURN L1")
    }

    @Test func candidatesInColumns() {
        #expect(CandidateList.lines(["NEW", "SUBMIT", "SHOW"], width: 20) == ["NEW     SUBMIT", "SHOW"])
    }
}

@Suite struct ReverseSearchTests {
    let history = ["DOSSIER LIST", "LOAN LIST status=out", "WHOAMI", "LOAN SHOW L3"]

    @Test func findsTheNewestMatchThenOlderOnes() {
        var state = LineEditState(history: history)
        #expect(state.apply(.reverseSearch) == .changed)
        #expect(state.searchPrompt == "(reverse-i-search)'': ")
        _ = state.apply(.text("LOAN"))
        #expect(state.text == "LOAN SHOW L3")
        #expect(state.searchPrompt == "(reverse-i-search)'LOAN': ")
        _ = state.apply(.reverseSearch)
        #expect(state.text == "LOAN LIST status=out")
        // No older match: the search fails and the last match stays.
        _ = state.apply(.reverseSearch)
        #expect(state.text == "LOAN LIST status=out")
        #expect(state.searchPrompt?.hasPrefix("(failed reverse-i-search)") == true)
    }

    @Test func enterRunsTheFoundLine() {
        var state = LineEditState(history: history)
        _ = state.apply(.reverseSearch)
        _ = state.apply(.text("WHO"))
        #expect(state.apply(.enter) == .submit("WHOAMI"))
        #expect(state.search == nil)
    }

    @Test func aMovementKeyEditsTheFoundLine() {
        var state = LineEditState(history: history)
        _ = state.apply(.reverseSearch)
        _ = state.apply(.text("DOSSIER"))
        #expect(state.apply(.end) == .changed)
        #expect(state.search == nil)
        _ = state.apply(.text(" limit=5"))
        #expect(state.text == "DOSSIER LIST limit=5")
    }

    @Test func cancelRestoresTheLine() {
        var state = LineEditState(history: history)
        _ = state.apply(.text("PI"))
        _ = state.apply(.reverseSearch)
        _ = state.apply(.text("LOAN"))
        #expect(state.apply(.abort) == .changed)
        #expect(state.text == "PI")
        _ = state.apply(.reverseSearch)
        _ = state.apply(.text("x"))
        _ = state.apply(.interrupt)
        #expect(state.text == "PI")
    }

    @Test func backspaceShortensTheQuery() {
        var state = LineEditState(history: history)
        _ = state.apply(.reverseSearch)
        _ = state.apply(.text("LOAN LIST"))
        #expect(state.text == "LOAN LIST status=out")
        _ = state.apply(.backspace)
        _ = state.apply(.backspace)
        _ = state.apply(.backspace)
        _ = state.apply(.backspace)
        _ = state.apply(.backspace)
        #expect(state.text == "LOAN SHOW L3")
    }

    @Test func keys() {
        var decoder = KeyDecoder()
        #expect(decoder.feed([0x12, 0x09, 0x07]) == [.reverseSearch, .tab, .abort])
    }
}
