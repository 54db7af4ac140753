import DossierConsole
import DossierProtocol
import Testing

@Suite struct TableRendererTests {
    /// The display column at which each field of `line` starts, where fields are
    /// separated by runs of two or more spaces.
    func columnStarts(_ line: String) -> [Int] {
        var starts: [Int] = []
        var column = 0
        var spaces = 0
        var first = true
        for character in line {
            if character == " " {
                spaces += 1
            } else {
                if first || spaces >= 2 { starts.append(column) }
                first = false
                spaces = 0
            }
            column += DisplayWidth.of(character)
        }
        return starts
    }

    @Test func chineseValuesLineUpByDisplayWidth() {
        let rows: [Row] = [
            ["ref": "D17", "title": "2026 年度框架合同", "status": "submitted"],
            ["ref": "D2", "title": "合同正本", "status": "filed"],
            ["ref": "D300", "title": "plain", "status": "draft"],
        ]
        let lines = TableRenderer().render(rows)
        #expect(lines == [
            "ref   title              status",
            "----  -----------------  ---------",
            "D17   2026 年度框架合同  submitted",
            "D2    合同正本           filed",
            "D300  plain              draft",
        ])
        let expected = columnStarts(lines[0])
        #expect(expected == [0, 6, 25])
        for line in lines { #expect(columnStarts(line) == expected) }
    }

    @Test func chineseHeadersAndNarrowValues() {
        let rows: [Row] = [["name": "上海分公司", "code": "SH"], ["name": "BJ office", "code": "BJ"]]
        let lines = TableRenderer().render(rows)
        #expect(lines[2] == "上海分公司  SH")
        #expect(lines[3] == "BJ office   BJ")
    }

    @Test func emptyValuesAndLastColumnHaveNoTrailingSpaces() {
        let lines = TableRenderer().render([["a": "x", "b": ""], ["a": "longer", "b": "y"]])
        #expect(lines == ["a       b", "------  -", "x", "longer  y"])
    }

    /// `APPROVAL SHOW`: the approval, its changed fields, its steps, each a table.
    @Test func eachRunOfRowsWithTheSameKeysIsItsOwnTable() {
        let lines = TableRenderer().render([
            ["id": "A4", "kind": "loan"],
            ["field": "hours", "old": "", "new": "3"], ["field": "purpose", "old": "", "new": "客户核对"],
            ["step": "1", "by": "chen.dir"],
        ])
        #expect(lines == [
            "id  kind", "--  ----", "A4  loan",
            "",
            "field    old  new", "-------  ---  --------", "hours         3", "purpose       客户核对",
            "",
            "step  by", "----  --------", "1     chen.dir",
        ])
    }

    @Test func controlCharactersAreEscapedInCells() {
        #expect(TableRenderer.cellText("a\nb\tc") == #"a\nb\tc"#)
        #expect(TableRenderer.cellText("x\u{1B}[31m") == #"x\u{1B}[31m"#)
        #expect(TableRenderer.cellText("合同") == "合同")
    }

    @Test func aSingleRowTooWideBecomesARecord() {
        let row: Row = ["ref": "D17", "title": "2026 年度框架合同", "location": ""]
        #expect(TableRenderer(maximumWidth: 20).render([row]) == [
            "ref       D17",
            "title     2026 年度框架合同",
            "location",
        ])
        #expect(TableRenderer(maximumWidth: 200).render([row]).count == 3)
        #expect(TableRenderer(maximumWidth: 200).render([row])[0].hasPrefix("ref  title"))
    }

    @Test func noRowsNoLines() {
        #expect(TableRenderer().render([]).isEmpty)
    }
}

@Suite struct ResponseRendererTests {
    @Test func rowsBecomeATableAndTheFinalLineStays() {
        let lines = ResponseRenderer().render([
            #"* code=SH name="上海 分公司""#,
            "* code=BJ name=北京",
            "OK 2",
        ])
        #expect(lines == ["code  name", "----  -----------", "SH    上海 分公司", "BJ    北京", "OK 2"])
    }

    @Test func finalLinesAndUnknownLinesPassThrough() {
        #expect(ResponseRenderer().render(["ERR DENIED not yours"]) == ["ERR DENIED not yours"])
        #expect(ResponseRenderer().render([#"* broken="x"#, "OK 1"]) == [#"* broken="x"#, "OK 1"])
        #expect(ResponseRenderer().render([#"{"ok":true,"message":"","rows":[]}"#]) == [#"{"ok":true,"message":"","rows":[]}"#])
    }
}

@Suite struct ResponseCollectorTests {
    @Test func dataLinesThenFinalLine() {
        var collector = ResponseCollector()
        #expect(collector.add("* a=1") == nil)
        #expect(collector.add("* a=2") == nil)
        #expect(collector.add("OK 2") == ["* a=1", "* a=2", "OK 2"])
        #expect(collector.add("ERR AUTH login required") == ["ERR AUTH login required"])
        #expect(collector.add(#"{"ok":false,"code":"ARGS","message":"x"}"#)?.count == 1)
        #expect(collector.add("OK") == ["OK"])
    }

    @Test func success() {
        #expect(ResponseCollector.isSuccess("OK"))
        #expect(ResponseCollector.isSuccess("OK PONG"))
        #expect(!ResponseCollector.isSuccess("ERR ARGS missing argument: title"))
        #expect(ResponseCollector.isSuccess(#"{"ok":true,"message":"","rows":[]}"#))
        #expect(!ResponseCollector.isSuccess(#"{"ok":false,"code":"AUTH","message":"login required"}"#))
        #expect(!ResponseCollector.isSuccess("OKAY"))
    }
}
