/// The console's command history: oldest first, bounded, without lines that may
/// hold a password (`RequestInspector.mayHoldSecret`) or that start with a space
/// (the shells' "ignorespace" convention for keeping a line out on purpose), and
/// without repeating the line just before.
public struct History: Hashable, Sendable {
    public private(set) var entries: [String]
    /// At most this many entries are kept; the oldest go first.
    public let limit: Int

    public init(entries: [String] = [], limit: Int = 1000) {
        self.limit = max(limit, 0)
        self.entries = []
        for entry in entries { add(entry) }
    }

    /// Records a submitted line; returns whether it was kept.
    @discardableResult
    public mutating func add(_ line: String) -> Bool {
        guard Self.shouldRecord(line), entries.last != line, limit > 0 else { return false }
        entries.append(line)
        if entries.count > limit { entries.removeFirst(entries.count - limit) }
        return true
    }

    /// Whether a line belongs in history at all.
    public static func shouldRecord(_ line: String) -> Bool {
        guard !RequestInspector.isBlank(line), !line.hasPrefix(" "), !line.hasPrefix("\t") else { return false }
        // Entries are stored one per line; a control character cannot come from the
        // editor and would corrupt the file.
        guard !line.unicodeScalars.contains(where: \.isControlCharacter) else { return false }
        return !RequestInspector.mayHoldSecret(line)
    }

    /// Reads the history file format: one entry per line.
    public init(fileContents: String, limit: Int = 1000) {
        self.init(entries: fileContents.split(separator: "\n", omittingEmptySubsequences: true).map(String.init),
                  limit: limit)
    }

    /// The history file format: one entry per line, newline-terminated.
    public var fileContents: String {
        entries.map { $0 + "\n" }.joined()
    }
}
