/// A password from the wire. It never appears in `description`, `debugDescription`,
/// `dump` or string interpolation, so commands holding one are safe to log; use
/// `revealed` only where the secret is actually checked or hashed.
public struct Password: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself.
    public let revealed: String

    public init(_ revealed: String) { self.revealed = revealed }

    public var description: String { "<secret>" }
    public var debugDescription: String { "<secret>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
