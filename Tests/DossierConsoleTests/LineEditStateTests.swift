import DossierConsole
import Testing

@Suite struct LineEditStateTests {
    /// A state after typing `text` (one key per character, as typed).
    func typed(_ text: String, history: [String] = []) -> LineEditState {
        var state = LineEditState(history: history)
        for character in text { _ = state.apply(.text(String(character))) }
        return state
    }

    @Test func insertingChineseMovesTheCursorTwoColumnsPerCharacter() {
        let state = typed("查合同")
        #expect(state.text == "查合同")
        #expect(state.cursor == 3)
        #expect(state.cursorColumn == 6)
        #expect(state.width == 6)
    }

    @Test func leftAndRightStepOverWideCharactersWhole() {
        var state = typed("a合b")
        #expect(state.cursorColumn == 4)
        var outcome = state.apply(.left)
        #expect(outcome == .changed)
        #expect(state.cursorColumn == 3)  // before b
        outcome = state.apply(.left)
        #expect(outcome == .changed)
        #expect(state.cursorColumn == 1)  // before 合: two columns back
        outcome = state.apply(.left)
        #expect(outcome == .changed)
        #expect(state.cursorColumn == 0)
        outcome = state.apply(.left)
        #expect(outcome == .unchanged)
        outcome = state.apply(.right)
        #expect(outcome == .changed)
        outcome = state.apply(.right)
        #expect(outcome == .changed)
        #expect(state.cursorColumn == 3)
        outcome = state.apply(.end)
        #expect(outcome == .changed)
        outcome = state.apply(.right)
        #expect(outcome == .unchanged)
    }

    @Test func insertInTheMiddle() {
        var state = typed("DOSSIER SHOW D17")
        _ = state.apply(.home)
        for _ in 0..<8 { _ = state.apply(.right) }
        _ = state.apply(.text("标题 "))
        #expect(state.text == "DOSSIER 标题 SHOW D17")
        #expect(state.cursor == 11)
        #expect(state.cursorColumn == 13)
    }

    @Test func combiningMarkJoinsThePreviousCharacter() {
        var state = typed("cafe")
        _ = state.apply(.text("\u{301}"))
        #expect(state.text == "caf\u{E9}")  // canonically equal to e + U+0301
        #expect(state.cursor == 4)
        #expect(state.cursorColumn == 4)
        _ = state.apply(.backspace)
        #expect(state.text == "caf")        // the whole cluster goes
    }

    @Test func backspaceAndDelete() {
        var state = typed("合同x")
        var outcome = state.apply(.backspace)
        #expect(outcome == .changed)
        #expect(state.text == "合同")
        _ = state.apply(.home)
        outcome = state.apply(.backspace)
        #expect(outcome == .unchanged)
        outcome = state.apply(.delete)
        #expect(outcome == .changed)
        #expect(state.text == "同")
        #expect(state.cursorColumn == 0)
        outcome = state.apply(.endOfInput) // Ctrl-D deletes when not empty
        #expect(outcome == .changed)
        #expect(state.text.isEmpty)
        outcome = state.apply(.endOfInput)
        #expect(outcome == .endOfInput)
    }

    @Test func killAndWordKeys() {
        var state = typed("ITEM LIST D17")
        let outcome = state.apply(.deleteWordBackward)
        #expect(outcome == .changed)
        #expect(state.text == "ITEM LIST ")
        _ = state.apply(.wordLeft)
        #expect(state.cursor == 5)
        _ = state.apply(.killToEnd)
        #expect(state.text == "ITEM ")
        _ = state.apply(.wordLeft)
        _ = state.apply(.wordRight)
        #expect(state.cursor == 4)
        _ = state.apply(.killToStart)
        #expect(state.text == " ")
        #expect(state.cursor == 0)
    }

    @Test func enterSubmitsAndResets() {
        var state = typed("PING")
        let outcome = state.apply(.enter)
        #expect(outcome == .submit("PING"))
        #expect(state.text.isEmpty)
        #expect(state.cursor == 0)
    }

    @Test func ctrlCClearsTheLine() {
        var state = typed("DOSSIER SHOW 合同", history: ["PING"])
        _ = state.apply(.left)
        let outcome = state.apply(.interrupt)
        #expect(outcome == .interrupted)
        #expect(state.text.isEmpty)
        #expect(state.cursor == 0)
        #expect(state.historyIndex == nil)
        // Up starts from the newest entry again.
        _ = state.apply(.up)
        #expect(state.text == "PING")
    }

    @Test func historyUpAndDownKeepTheDraft() {
        var state = typed("draft 草稿", history: ["PING", "WHOAMI", "DOSSIER SHOW D17"])
        var outcome = state.apply(.up)
        #expect(outcome == .changed)
        #expect(state.text == "DOSSIER SHOW D17")
        #expect(state.cursor == state.text.count)
        _ = state.apply(.up)
        _ = state.apply(.up)
        #expect(state.text == "PING")
        #expect(state.historyIndex == 0)
        outcome = state.apply(.up) // oldest: stays
        #expect(outcome == .unchanged)
        #expect(state.text == "PING")
        _ = state.apply(.down)
        #expect(state.text == "WHOAMI")
        _ = state.apply(.down)
        _ = state.apply(.down)
        #expect(state.text == "draft 草稿")
        #expect(state.historyIndex == nil)
        #expect(state.cursorColumn == 10)
        outcome = state.apply(.down)
        #expect(outcome == .unchanged)
    }

    @Test func recalledEntryCanBeEditedAndSubmitted() {
        var state = LineEditState(history: ["DOSSIER SHOW D17"])
        _ = state.apply(.up)
        _ = state.apply(.backspace)
        _ = state.apply(.text("8"))
        let outcome = state.apply(.enter)
        #expect(outcome == .submit("DOSSIER SHOW D18"))
    }

    @Test func emptyHistory() {
        var state = LineEditState()
        var outcome = state.apply(.up)
        #expect(outcome == .unchanged)
        outcome = state.apply(.down)
        #expect(outcome == .unchanged)
    }
}
