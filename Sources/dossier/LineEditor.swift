import DossierConsole
import Glibc

/// Reads request lines at a terminal with editing and history: the terminal side
/// of `LineEditState` (keys from `KeyDecoder`, drawing by `LineEditorView`).
final class LineEditor {
    /// Changes after a login (`li.na@SH> `).
    var prompt: String
    /// Tab completion; nil until the command table was fetched.
    var completer: Completer?
    private var history: History
    private let historyFile: HistoryFile?
    private var decoder = KeyDecoder()
    /// Keys read but not yet used: a paste of several lines submits the first and
    /// keeps the rest for the next call.
    private var pendingKeys: [EditKey] = []
    private let output = ConsoleOutput.standardOutput

    init(prompt: String, historyFile: HistoryFile?) {
        self.prompt = prompt
        self.historyFile = historyFile
        self.history = historyFile?.load() ?? History()
    }

    /// The next line the user submits; nil at end of input (Ctrl-D on an empty
    /// line, or stdin closed).
    func readLine() -> String? {
        guard let rawMode = RawMode.enable(fd: STDIN_FILENO) else { return Swift.readLine() }
        defer { withExtendedLifetime(rawMode) {} }
        var state = LineEditState(history: history.entries)
        var view = LineEditorView(prompt: prompt, columns: Terminal.columns() ?? 80)
        output.write(draw(state, in: &view))
        var dirty = false
        while true {
            // Redraw once per batch of keys read together (a paste), not per key.
            if dirty && pendingKeys.isEmpty {
                view.columns = Terminal.columns() ?? view.columns
                output.write(draw(state, in: &view))
                dirty = false
            }
            guard let key = nextKey() else {
                output.write(view.finish(state))
                return nil
            }
            let before = state
            let outcome = key == .tab ? (completer.map { state.complete(with: $0) } ?? .unchanged) : state.apply(key)
            if dirty && outcome != .changed && outcome != .unchanged {
                // Show the line as it stands before leaving it (a pasted line and its Enter).
                output.write(draw(before, in: &view))
                dirty = false
            }
            switch outcome {
            case .changed:
                dirty = true
            case .unchanged:
                break
            case .submit(let line):
                output.write(view.finish(before))
                if history.add(line) { historyFile?.save(history) }
                return line
            case .interrupted:
                // As shells do: show ^C, abandon the line, start a fresh prompt.
                output.write(view.finish(before, marker: "^C"))
                view.reset()
                output.write(draw(state, in: &view))
            case .endOfInput:
                output.write(view.finish(state))
                return nil
            case .clearScreen:
                output.write("\u{1B}[H\u{1B}[2J")
                view.reset()
                output.write(draw(state, in: &view))
            case .candidates(let candidates):
                // Listed below the line, as shells do, then the line again.
                output.write(view.finish(state))
                let width = Terminal.columns() ?? 80
                output.write(lines: CandidateList.lines(candidates, width: width))
                view.reset()
                output.write(draw(state, in: &view))
            }
        }
    }

    /// The prompt (or the search prompt) and the line, its password masked.
    private func draw(_ state: LineEditState, in view: inout LineEditorView) -> String {
        view.prompt = state.searchPrompt ?? prompt
        return view.redraw(text: RequestInspector.masked(state.text), cursor: state.cursor)
    }

    /// The next key, reading from the terminal when none is pending; nil at end of input.
    private func nextKey() -> EditKey? {
        while pendingKeys.isEmpty {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue } // e.g. SIGWINCH
            guard count > 0 else { return nil }
            pendingKeys = decoder.feed(chunk[..<count])
        }
        return pendingKeys.removeFirst()
    }
}
