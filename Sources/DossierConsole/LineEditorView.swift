/// Draws the prompt and the line being edited, and places the cursor, as a string
/// of VT100 escape sequences — pure, so the layout rules can be tested.
///
/// The line may wrap over several terminal rows. Each redraw goes back to the
/// prompt's row, clears to the end of the screen and writes everything again,
/// which is simple and cannot leave stale characters behind. Positions follow the
/// terminal's wrapping rules: a wide character that does not fit in the last
/// column moves whole to the next row, and writing the last column leaves the
/// cursor pending there until the next character.
public struct LineEditorView: Sendable {
    public var prompt: String
    /// The terminal's width in columns.
    public var columns: Int
    /// The cursor's row relative to the prompt's first row, as the last redraw
    /// left it.
    public private(set) var cursorRow = 0

    public init(prompt: String, columns: Int) {
        self.prompt = prompt
        self.columns = max(columns, 1)
    }

    /// A screen position, relative to the prompt's first row.
    public struct Position: Hashable, Sendable {
        public var row: Int
        public var column: Int

        public init(row: Int, column: Int) {
            self.row = row
            self.column = column
        }
    }

    /// Where the character at `offset` of `text` (after the prompt) is drawn, or
    /// where the next one would be for `offset == text.count`; and where the
    /// terminal's cursor is after writing all of it.
    public func layout(text: String, offset: Int) -> (cursor: Position, end: Position) {
        var row = 0
        var column = 0
        var cursor: Position?
        func place(_ character: Character, index: Int?) {
            let width = DisplayWidth.of(character)
            // A zero-width character stays with the previous one, even across a wrap.
            if width > 0 && column + width > columns {
                row += 1
                column = 0
            }
            if let index, index == offset, cursor == nil { cursor = Position(row: row, column: column) }
            column += width
        }
        for character in prompt { place(character, index: nil) }
        for (index, character) in text.enumerated() { place(character, index: index) }
        let end = Position(row: row, column: column)
        if cursor == nil {
            cursor = column >= columns ? Position(row: row + 1, column: 0) : end
        }
        return (cursor!, end)
    }

    /// The output that redraws `state` and puts the cursor where it belongs.
    public mutating func redraw(_ state: LineEditState) -> String {
        redraw(text: state.text, cursor: state.cursor)
    }

    /// The output that redraws the prompt and `text` with the cursor before
    /// character `cursor`.
    public mutating func redraw(text: String, cursor offset: Int) -> String {
        let (cursor, end) = layout(text: text, offset: offset)
        var out = cursorRow > 0 ? "\u{1B}[\(cursorRow)A" : ""
        out += "\r\u{1B}[J" + prompt + text
        var at = end
        if end.column >= columns {
            // The cursor is pending in the last column; make the wrap real so the
            // moves below start from a known place.
            out += "\r\n"
            at = Position(row: end.row + 1, column: 0)
        }
        if at.row > cursor.row { out += "\u{1B}[\(at.row - cursor.row)A" }
        if at.column != cursor.column {
            out += "\r"
            if cursor.column > 0 { out += "\u{1B}[\(cursor.column)C" }
        }
        cursorRow = cursor.row
        return out
    }

    /// Leaves the edited line: moves below its last row, so output can follow.
    /// `marker` is written at the end of the line first (`^C` for an abandoned line).
    public mutating func finish(_ state: LineEditState, marker: String = "") -> String {
        let (_, end) = layout(text: state.text, offset: state.cursor)
        // A line that filled its last row already has an empty row below it.
        let filled = end.column >= columns
        let lastRow = filled ? end.row + 1 : end.row
        let down = lastRow - cursorRow
        cursorRow = 0
        var out = down > 0 ? "\u{1B}[\(down)B" : ""
        if marker.isEmpty { return out + (filled ? "\r" : "\r\n") }
        // Down keeps the column; go to the end of the text before the marker.
        out += "\r"
        let column = filled ? 0 : end.column
        if column > 0 { out += "\u{1B}[\(column)C" }
        return out + marker + "\r\n"
    }

    /// Starts a fresh prompt on the current row (after output or a cleared screen).
    public mutating func reset() { cursorRow = 0 }
}
