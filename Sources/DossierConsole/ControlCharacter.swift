extension Unicode.Scalar {
    /// C0 controls, DEL and C1 controls: what the protocol escapes in values and
    /// what must never reach the terminal raw.
    var isControlCharacter: Bool {
        value < 0x20 || (0x7F...0x9F).contains(value)
    }
}
