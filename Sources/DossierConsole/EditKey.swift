/// One key press as the line editor understands it, decoded from terminal input
/// by `KeyDecoder`.
public enum EditKey: Hashable, Sendable {
    /// Printable text to insert (one key, or a pasted run of characters).
    case text(String)
    /// Return: submit the line.
    case enter
    /// Delete the character before the cursor.
    case backspace
    /// Delete the character under the cursor (Delete key).
    case delete
    case left, right, home, end
    /// Ctrl-Left / Alt-B, Ctrl-Right / Alt-F: to the previous / next word.
    case wordLeft, wordRight
    /// Previous / next history entry.
    case up, down
    /// Ctrl-C: abandon the line.
    case interrupt
    /// Ctrl-D: end of input on an empty line, otherwise delete under the cursor.
    case endOfInput
    /// Ctrl-K: delete from the cursor to the end.
    case killToEnd
    /// Ctrl-U: delete from the start to the cursor.
    case killToStart
    /// Ctrl-W: delete the word before the cursor.
    case deleteWordBackward
    /// Ctrl-L: clear the screen and redraw the line.
    case clearScreen
    /// Tab: complete the word before the cursor.
    case tab
    /// Ctrl-R: search history backwards for what is typed next.
    case reverseSearch
    /// Ctrl-G: leave a history search, restoring the line.
    case abort
    /// A key the editor has no use for (function keys, stray bytes).
    case ignored
}
