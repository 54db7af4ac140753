/// An opaque listing cursor: what a previous listing returned as `next=`, passed back
/// as `after=`. The server chooses its content; the protocol only bounds its shape
/// (1–256 printable ASCII characters, none of them space, quote or backslash) so it
/// never needs quoting tricks.
public struct Cursor: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard (1...256).contains(bytes.count),
              bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        else { return nil }
        self.rawValue = text
    }

    public var description: String { rawValue }
}
