/// Wraps text at spaces to a display width (Chinese counts double), with an
/// indentation for the lines after the first. A word longer than a line is cut
/// rather than left to the terminal, so nothing ever wraps mid-screen.
public enum TextWrap {
    /// The lines of `text` wrapped to `width` columns; the first starts with
    /// `first`, the others with `rest` (both counted in the width).
    public static func wrap(_ text: String, width: Int?, first: String = "", rest: String = "") -> [String] {
        guard let width else { return [first + text] }
        var lines: [String] = []
        var line = first
        var lineHasWord = false
        let restWidth = DisplayWidth.of(rest)
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let needed = DisplayWidth.of(word) + (lineHasWord ? 1 : 0)
            if lineHasWord && DisplayWidth.of(line) + needed > width {
                lines.append(line)
                line = rest
                lineHasWord = false
            }
            var remaining = Substring(word)
            // A word wider than a whole line is cut at the width.
            while lineHasWord == false && DisplayWidth.of(line) + DisplayWidth.of(remaining) > width
                    && width - restWidth > 1 && !remaining.isEmpty {
                var piece = ""
                for character in remaining {
                    if DisplayWidth.of(line) + DisplayWidth.of(piece) + DisplayWidth.of(character) > width { break }
                    piece.append(character)
                }
                if piece.isEmpty { break }
                lines.append(line + piece)
                line = rest
                remaining = remaining.dropFirst(piece.count)
            }
            if remaining.isEmpty { continue }
            line += (lineHasWord ? " " : "") + remaining
            lineHasWord = true
        }
        lines.append(line)
        return lines
    }
}
