import DossierConsole
import Testing

@Suite struct LineEditorViewTests {
    @Test func cursorPositionCountsWideCharacters() {
        let view = LineEditorView(prompt: "> ", columns: 80)
        #expect(view.layout(text: "a合b", offset: 2).cursor == .init(row: 0, column: 5))
        #expect(view.layout(text: "a合b", offset: 3).cursor == .init(row: 0, column: 6))
    }

    @Test func wideCharacterThatDoesNotFitWrapsWhole() {
        // Prompt 2 + "abc" = 5 columns of 6; 合 needs 2 and goes to the next row.
        let view = LineEditorView(prompt: "> ", columns: 6)
        let layout = view.layout(text: "abc合x", offset: 3)
        #expect(layout.cursor == .init(row: 1, column: 0))
        #expect(layout.end == .init(row: 1, column: 3))
    }

    @Test func textFillingTheRowPutsTheCursorOnTheNext() {
        let view = LineEditorView(prompt: "> ", columns: 6)
        let layout = view.layout(text: "合同", offset: 2)
        #expect(layout.end == .init(row: 0, column: 6))
        #expect(layout.cursor == .init(row: 1, column: 0))
    }

    @Test func redrawMovesBackOverWideCharacters() {
        var view = LineEditorView(prompt: "> ", columns: 80)
        var state = LineEditState()
        _ = state.apply(.text("合同"))
        _ = state.apply(.left)
        // Redraw from the prompt's row, then back to column 2 + 2 = 4.
        var output = view.redraw(state)
        #expect(output == "\r\u{1B}[J> 合同\r\u{1B}[4C")
        _ = state.apply(.end)
        output = view.redraw(state)
        #expect(output == "\r\u{1B}[J> 合同")
    }

    @Test func redrawOfAWrappedLineGoesBackUpFirst() {
        // "> abcd" fills the first row of 6, "ef" goes to the second.
        var view = LineEditorView(prompt: "> ", columns: 6)
        let atEnd = view.redraw(text: "abcdef", cursor: 6)
        #expect(atEnd == "\r\u{1B}[J> abcdef")
        #expect(view.cursorRow == 1)
        let atStart = view.redraw(text: "abcdef", cursor: 0)
        #expect(atStart == "\u{1B}[1A\r\u{1B}[J> abcdef\u{1B}[1A")
        #expect(view.cursorRow == 0)
        let onBoth = view.redraw(text: "abcdef", cursor: 5)
        #expect(onBoth == "\r\u{1B}[J> abcdef\r\u{1B}[1C")
        #expect(view.cursorRow == 1)
    }

    @Test func aLineEndingAtTheLastColumnWrapsForReal() {
        var view = LineEditorView(prompt: "> ", columns: 6)
        let output = view.redraw(text: "ab合", cursor: 3)
        #expect(output == "\r\u{1B}[J> ab合\r\n")
        #expect(view.cursorRow == 1)
        var state = LineEditState()
        _ = state.apply(.text("ab合"))
        let finish = view.finish(state)
        #expect(finish == "\r") // already on the empty row below
        _ = view.redraw(state)
        let interrupted = view.finish(state, marker: "^C")
        #expect(interrupted == "\r^C\r\n")
    }
}
