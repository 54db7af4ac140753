/// The line editor as a pure state machine: the text being edited, the cursor,
/// and a walk through history. Keys go in (`apply`), an `Outcome` comes out;
/// drawing is `LineEditorView`'s job and terminal I/O the client's.
///
/// The cursor counts grapheme clusters (what the user sees as one character), so
/// Left never lands inside a Chinese character or between a letter and its
/// combining accent; `cursorColumn` converts it to terminal columns.
public struct LineEditState: Hashable, Sendable {
    /// What a key did.
    public enum Outcome: Hashable, Sendable {
        /// The text or cursor changed: redraw.
        case changed
        /// Nothing to do (Left at the start, Backspace on an empty line).
        case unchanged
        /// Enter: the line is done; the state is empty again.
        case submit(String)
        /// Ctrl-C: the line was abandoned and the state is empty again.
        case interrupted
        /// Ctrl-D on an empty line: no more input.
        case endOfInput
        /// Ctrl-L: clear the screen, then redraw.
        case clearScreen
        /// Tab with several candidates and nothing more to insert: list them.
        case candidates([String])
    }

    /// A history search in progress (Ctrl-R): what was typed and the entry found.
    public struct Search: Hashable, Sendable {
        public var query = ""
        /// The history entry matching `query`, or nil while none does.
        public var match: Int?
        public var failed = false
    }

    /// The search under way, or nil while editing normally.
    public private(set) var search: Search?

    /// The prompt to show instead of the normal one during a search, as readline
    /// shows it: `(reverse-i-search)'lo': LOAN LIST`.
    public var searchPrompt: String? {
        guard let search else { return nil }
        return (search.failed ? "(failed reverse-i-search)'" : "(reverse-i-search)'") + search.query + "': "
    }

    public private(set) var text: String = ""
    /// Characters (grapheme clusters) before the cursor: 0…`text.count`.
    public private(set) var cursor: Int = 0

    /// Entries to walk with Up/Down, oldest first.
    public let history: [String]
    /// The history entry shown, or nil while editing the new line.
    public private(set) var historyIndex: Int?
    /// The new line as it was when Up first left it, restored by Down past the end.
    private var draft = ""

    public init(history: [String] = []) {
        self.history = history
    }

    /// Terminal columns before the cursor.
    public var cursorColumn: Int { DisplayWidth.of(text.prefix(cursor)) }

    /// Terminal columns of the whole text.
    public var width: Int { DisplayWidth.of(text) }

    public mutating func apply(_ key: EditKey) -> Outcome {
        if search != nil, let outcome = applySearch(key) { return outcome }
        switch key {
        case .text(let input):
            insert(input)
            return .changed
        case .enter:
            let line = text
            reset()
            return .submit(line)
        case .interrupt:
            reset()
            return .interrupted
        case .endOfInput:
            if text.isEmpty { return .endOfInput }
            return deleteRange(cursor, cursor + 1)
        case .backspace: return deleteRange(cursor - 1, cursor)
        case .delete: return deleteRange(cursor, cursor + 1)
        case .killToEnd: return deleteRange(cursor, text.count)
        case .killToStart: return deleteRange(0, cursor)
        case .deleteWordBackward: return deleteRange(wordStart(before: cursor), cursor)
        case .left: return move(to: cursor - 1)
        case .right: return move(to: cursor + 1)
        case .home: return move(to: 0)
        case .end: return move(to: text.count)
        case .wordLeft: return move(to: wordStart(before: cursor))
        case .wordRight: return move(to: wordEnd(after: cursor))
        case .up: return recall(historyIndex.map { $0 - 1 } ?? history.count - 1)
        case .down:
            guard let index = historyIndex else { return .unchanged }
            return recall(index + 1)
        case .clearScreen: return .clearScreen
        case .reverseSearch:
            if historyIndex == nil { draft = text }
            search = Search()
            return .changed
        case .tab, .abort, .ignored: return .unchanged
        }
    }

    /// A key during a search; nil when the key ends the search and is then
    /// applied as usual (Enter submits the found line, a movement edits it).
    private mutating func applySearch(_ key: EditKey) -> Outcome? {
        guard var current = search else { return nil }
        switch key {
        case .text(let input):
            current.query += input
            search = current
            find(from: current.match ?? history.count - 1)
            return .changed
        case .backspace:
            guard !current.query.isEmpty else { return .unchanged }
            current.query.removeLast()
            search = current
            find(from: history.count - 1)
            return .changed
        case .reverseSearch:
            guard let match = current.match else { return .unchanged }
            find(from: match - 1, keepOnFailure: true)
            return .changed
        case .interrupt, .abort:
            search = nil
            historyIndex = nil
            text = draft
            cursor = text.count
            return .changed
        default:
            search = nil
            return nil
        }
    }

    /// Shows the newest entry at or before `start` that contains the query; with
    /// `keepOnFailure` a failed search leaves the last match shown.
    private mutating func find(from start: Int, keepOnFailure: Bool = false) {
        guard var current = search else { return }
        var index = min(start, history.count - 1)
        while index >= 0 {
            if current.query.isEmpty || history[index].contains(current.query) {
                current.match = index
                current.failed = false
                search = current
                historyIndex = index
                text = history[index]
                // The cursor at the match, as readline puts it.
                if let range = text.firstRange(of: current.query), !current.query.isEmpty {
                    cursor = text.distance(from: text.startIndex, to: range.lowerBound)
                } else {
                    cursor = text.count
                }
                return
            }
            index -= 1
        }
        current.failed = true
        if !keepOnFailure { current.match = nil }
        search = current
    }

    /// Tab: completes the word before the cursor with `completer`. One candidate
    /// is inserted whole (with a space after it unless it ends in `=`); several
    /// insert what they share, or are listed when they share no more.
    public mutating func complete(with completer: Completer) -> Outcome {
        if search != nil { search = nil }
        let prefix = String(text.prefix(cursor))
        let completion = completer.complete(prefix)
        guard !completion.candidates.isEmpty else { return .unchanged }
        let typed = prefix.count - completion.wordStart
        let before = String(text.prefix(completion.wordStart))
        let after = String(text.dropFirst(cursor))
        var insert: String
        if completion.candidates.count == 1 {
            insert = completion.candidates[0]
            if !insert.hasSuffix("=") && !after.hasPrefix(" ") { insert += " " }
        } else {
            insert = completion.commonPrefix
            if insert.count <= typed { return .candidates(completion.candidates) }
        }
        text = before + insert + after
        cursor = before.count + insert.count
        return .changed
    }

    /// Inserts at the cursor. The text is rebuilt as a String so that a combining
    /// mark joins the character before it, as it will on screen; the cursor then
    /// sits after the inserted text, however the clusters regrouped.
    private mutating func insert(_ input: String) {
        let before = String(text.prefix(cursor)) + input
        let after = text.dropFirst(cursor)
        text = before + after
        // A mark at the start of `after` may now belong to `before`'s last cluster.
        cursor = min(before.count, text.count)
    }

    private mutating func deleteRange(_ from: Int, _ to: Int) -> Outcome {
        let start = max(from, 0)
        let end = min(to, text.count)
        guard start < end else { return .unchanged }
        text = String(text.prefix(start)) + String(text.dropFirst(end))
        cursor = start
        return .changed
    }

    private mutating func move(to position: Int) -> Outcome {
        let clamped = min(max(position, 0), text.count)
        guard clamped != cursor else { return .unchanged }
        cursor = clamped
        return .changed
    }

    /// Shows history entry `index`; past the newest entry, the draft again.
    private mutating func recall(_ index: Int) -> Outcome {
        guard index >= 0, !history.isEmpty else { return .unchanged }
        if index >= history.count {
            guard historyIndex != nil else { return .unchanged }
            historyIndex = nil
            text = draft
        } else {
            if historyIndex == nil { draft = text }
            historyIndex = index
            text = history[index]
        }
        cursor = text.count
        return .changed
    }

    private mutating func reset() {
        search = nil
        text = ""
        cursor = 0
        historyIndex = nil
        draft = ""
    }

    /// Start of the word before `position` (skipping spaces first), as in shells.
    private func wordStart(before position: Int) -> Int {
        let characters = Array(text)
        var index = position
        while index > 0, characters[index - 1].isWhitespace { index -= 1 }
        while index > 0, !characters[index - 1].isWhitespace { index -= 1 }
        return index
    }

    /// End of the word after `position` (skipping spaces first).
    private func wordEnd(after position: Int) -> Int {
        let characters = Array(text)
        var index = position
        while index < characters.count, characters[index].isWhitespace { index += 1 }
        while index < characters.count, !characters[index].isWhitespace { index += 1 }
        return index
    }
}
