/// A SHA-256 digest in hex (64 characters). Uppercase input is accepted and stored
/// lowercase, so equal digests compare equal.
public struct SHA256Digest: Hashable, Sendable, LosslessStringConvertible {
    public let hex: String

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 64, bytes.allSatisfy({ ASCII.isDigit($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0) })
        else { return nil }
        self.hex = text.lowercased()
    }

    public var description: String { hex }
}
