/// Completion candidates laid out in columns across the terminal, as shells
/// list them when Tab has several.
public enum CandidateList {
    public static func lines(_ candidates: [String], width: Int) -> [String] {
        guard !candidates.isEmpty else { return [] }
        let cell = (candidates.map { DisplayWidth.of($0) }.max() ?? 0) + 2
        let perLine = max(width / max(cell, 1), 1)
        var lines: [String] = []
        var index = 0
        while index < candidates.count {
            let slice = candidates[index..<min(index + perLine, candidates.count)]
            var line = slice.map { DisplayWidth.pad($0, to: cell) }.joined()
            while line.hasSuffix(" ") { line.removeLast() }
            lines.append(line)
            index += perLine
        }
        return lines
    }
}
