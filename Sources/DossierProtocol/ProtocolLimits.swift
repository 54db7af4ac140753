/// Size limits of the line protocol.
public struct ProtocolLimits: Hashable, Sendable {
    /// The longest request line in bytes, not counting its `\n` or `\r\n`.
    public var maximumLineLength: Int

    public init(maximumLineLength: Int = 16 * 1024) {
        precondition(maximumLineLength > 0, "maximumLineLength must be positive")
        self.maximumLineLength = maximumLineLength
    }

    /// 16 KiB lines (PROTOCOL.md, "Framing").
    public static let `default` = ProtocolLimits()
}
