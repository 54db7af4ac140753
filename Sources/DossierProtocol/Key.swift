/// Argument and field keys: lowercase `[a-z_][a-z0-9_]*` (PROTOCOL.md, "Framing").
public enum Key {
    /// Whether `text` is a valid key.
    public static func isValid<S: StringProtocol>(_ text: S) -> Bool {
        var first = true
        for byte in text.utf8 {
            let ok = (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_") || (!first && byte >= 0x30 && byte <= 0x39)
            guard ok else { return false }
            first = false
        }
        return !first
    }
}
