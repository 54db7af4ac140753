/// The response encoding chosen with `FORMAT`.
public enum OutputFormat: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// Data lines `* k=v …` and a final `OK`/`ERR` line (the default).
    case text
    /// Exactly one JSON object per response, on one line.
    case json

    public var description: String { rawValue }
}
