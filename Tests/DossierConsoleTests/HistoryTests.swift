import DossierConsole
import Testing

@Suite struct HistoryTests {
    @Test func boundedAndWithoutRepeats() {
        var history = History(limit: 3)
        for line in ["PING", "PING", "WHOAMI", "DEPT LIST", "STATS"] { history.add(line) }
        #expect(history.entries == ["WHOAMI", "DEPT LIST", "STATS"])
    }

    @Test func linesThatMayHoldPasswordsAreNotKept() {
        var history = History()
        var kept = history.add("AUTH li.na s3cret")
        #expect(!kept)
        kept = history.add("auth li.na s3cret")
        #expect(!kept)
        kept = history.add("USER PASSWD li.na n3w")
        #expect(!kept)
        kept = history.add("USER ADD wang name=王 dept=SH role=rep password=x")
        #expect(!kept)
        kept = history.add(#"AUTH li.na "unterminated"#)
        #expect(!kept)
        kept = history.add(" DOSSIER SHOW D17") // leading space: kept out on purpose
        #expect(!kept)
        kept = history.add("  ")
        #expect(!kept)
        kept = history.add("USER LIST dept=SH")
        #expect(kept)
        kept = history.add("CUSTOMER FIND 上海")
        #expect(kept)
        #expect(history.entries == ["USER LIST dept=SH", "CUSTOMER FIND 上海"])
    }

    @Test func fileRoundTrip() {
        var history = History()
        history.add("CUSTOMER FIND 上海")
        history.add(#"DOSSIER NEW customer=C-2026-00001 category=HT title="年度 合同""#)
        let read = History(fileContents: history.fileContents)
        #expect(read.entries == history.entries)
        #expect(History(fileContents: "PING\nAUTH a b\n\nSTATS\n", limit: 1).entries == ["STATS"])
    }
}

@Suite struct RequestInspectorTests {
    @Test func format() {
        #expect(RequestInspector.requestedFormat("FORMAT json") == .json)
        #expect(RequestInspector.requestedFormat("format text") == .text)
        #expect(RequestInspector.requestedFormat("FORMAT xml") == nil)
        #expect(RequestInspector.requestedFormat("PING") == nil)
    }

    @Test func quitAndBlank() {
        #expect(RequestInspector.isQuit("quit"))
        #expect(!RequestInspector.isQuit("QUIT now"))
        #expect(RequestInspector.isBlank(" \t "))
        #expect(!RequestInspector.isBlank(" x"))
    }
}
