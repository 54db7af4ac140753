/// When tables are shown in the expanded layout (one line per field), as psql's
/// `\x`: always, never, or only when the table is wider than the terminal.
public enum ExpandedMode: String, CaseIterable, Hashable, Sendable {
    case auto, on, off

    /// What `\x` without an argument switches to: on from off or auto, off from on.
    public var toggled: ExpandedMode { self == .on ? .off : .on }
}
