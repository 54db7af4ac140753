/// The verb a mistyped request most likely meant (`DOSIER LIST` → `DOSSIER LIST`),
/// from the command table, for the `UNKNOWN` answer. Only verb names from the
/// table are ever shown, never the typed words (a mistyped line may be a password).
public enum VerbSuggestion {
    /// The nearest verb name to the typed first word (and second, if any), or nil
    /// when nothing is close. With one word, a group is suggested by its first word.
    public static func nearest(first: String, second: String?, among specs: [CommandSpec] = CommandTable.all) -> String? {
        var best: (name: String, distance: Int)?
        var seen: Set<String> = []
        for spec in specs {
            let name = spec.words.count == 2 && second == nil ? spec.words[0] : spec.name
            guard seen.insert(name).inserted else { continue }
            let typed = spec.words.count == 2 ? [first, second].compactMap { $0 }.joined(separator: " ") : first
            let distance = editDistance(Array(typed.unicodeScalars), Array(name.unicodeScalars))
            guard distance <= tolerance(for: name) else { continue }
            if best == nil || distance < best!.distance { best = (name, distance) }
        }
        return best?.name
    }

    /// How many edits still count as a typo: one for short names, up to three.
    static func tolerance(for name: String) -> Int { max(1, min(3, name.count / 4)) }

    /// Optimal string alignment distance: insertions, deletions, substitutions and
    /// transpositions of neighbours (`SHWO` → `SHOW`) each count one.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
