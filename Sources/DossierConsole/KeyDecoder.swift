/// Decodes the bytes a terminal in raw mode sends into `EditKey`s: UTF-8 text
/// (a character may arrive split across reads), control keys, and the escape
/// sequences of xterm-like terminals for arrows, Home/End and Delete.
///
/// Incomplete input (half a UTF-8 character, half an escape sequence) is kept for
/// the next `feed`. A lone Escape therefore waits for the next byte; the editor
/// has no use for Escape on its own.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Decodes what `bytes` completes. Consecutive printable characters come out as
    /// one `.text`, so a paste is one edit (and one redraw).
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [EditKey] {
        pending.append(contentsOf: bytes)
        var keys: [EditKey] = []
        var index = 0
        while index < pending.count {
            guard let (key, length) = decode(at: index) else { break }
            index += length
            if case .text(let text) = key, case .text(let previous)? = keys.last {
                keys[keys.count - 1] = .text(previous + text)
            } else {
                keys.append(key)
            }
        }
        pending.removeFirst(index)
        return keys
    }

    /// The key starting at `index` and its length in bytes; nil when incomplete.
    private func decode(at index: Int) -> (EditKey, Int)? {
        let byte = pending[index]
        switch byte {
        case 0x1B: return escapeSequence(at: index)
        case 0x0D, 0x0A: return (.enter, 1)
        case 0x7F, 0x08: return (.backspace, 1)
        case 0x01: return (.home, 1)
        case 0x02: return (.left, 1)
        case 0x03: return (.interrupt, 1)
        case 0x04: return (.endOfInput, 1)
        case 0x05: return (.end, 1)
        case 0x07: return (.abort, 1)
        case 0x09: return (.tab, 1)
        case 0x06: return (.right, 1)
        case 0x0B: return (.killToEnd, 1)
        case 0x0C: return (.clearScreen, 1)
        case 0x0E: return (.down, 1)
        case 0x10: return (.up, 1)
        case 0x12: return (.reverseSearch, 1)
        case 0x15: return (.killToStart, 1)
        case 0x17: return (.deleteWordBackward, 1)
        case 0x00..<0x20: return (.ignored, 1)
        case 0x20..<0x80: return (.text(String(UnicodeScalar(byte))), 1)
        default: return utf8Character(at: index)
        }
    }

    private func utf8Character(at index: Int) -> (EditKey, Int)? {
        let lead = pending[index]
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return (.ignored, 1) // a stray continuation byte or an invalid lead
        }
        // Stop early at a byte that cannot continue the sequence, so a broken
        // character never swallows the key after it.
        var end = index + 1
        while end < index + length {
            guard end < pending.count else { return nil }
            guard pending[end] & 0xC0 == 0x80 else { return (.ignored, end - index) }
            end += 1
        }
        guard let text = String(validating: pending[index..<end], as: UTF8.self) else {
            return (.ignored, length) // overlong or surrogate
        }
        // C1 controls are valid UTF-8 but not text.
        if text.unicodeScalars.contains(where: { (0x80...0x9F).contains($0.value) }) { return (.ignored, length) }
        return (.text(text), length)
    }

    /// `ESC [ …`, `ESC O x`, or Alt-<key> (`ESC x`).
    private func escapeSequence(at index: Int) -> (EditKey, Int)? {
        guard index + 1 < pending.count else { return nil }
        switch pending[index + 1] {
        case UInt8(ascii: "["):
            return controlSequence(at: index)
        case UInt8(ascii: "O"):
            guard index + 2 < pending.count else { return nil }
            return (Self.finalKey(pending[index + 2], parameters: ""), 3)
        case UInt8(ascii: "b"): return (.wordLeft, 2)
        case UInt8(ascii: "f"): return (.wordRight, 2)
        case 0x7F, 0x08: return (.deleteWordBackward, 2)
        case 0x1B: return (.ignored, 1) // Escape pressed twice: drop the first
        case 0x20..<0x7F: return (.ignored, 2)
        default: return (.ignored, 1) // leave the next byte (maybe UTF-8) alone
        }
    }

    /// `ESC [` parameters, intermediates, final byte (ECMA-48).
    private func controlSequence(at index: Int) -> (EditKey, Int)? {
        var end = index + 2
        var parameters = ""
        while end < pending.count, (0x30...0x3F).contains(pending[end]) {
            parameters.unicodeScalars.append(UnicodeScalar(pending[end]))
            end += 1
        }
        while end < pending.count, (0x20...0x2F).contains(pending[end]) { end += 1 }
        guard end < pending.count else { return nil }
        let final = pending[end]
        guard (0x40...0x7E).contains(final) else { return (.ignored, end - index) } // malformed
        return (Self.finalKey(final, parameters: parameters), end - index + 1)
    }

    /// Maps a sequence's final byte and parameters to a key.
    static func finalKey(_ final: UInt8, parameters: String) -> EditKey {
        // `1;5C` is Ctrl-Right, `1;3C` Alt-Right: both move by words.
        let modified = parameters.hasSuffix(";5") || parameters.hasSuffix(";3")
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return modified ? .wordRight : .right
        case UInt8(ascii: "D"): return modified ? .wordLeft : .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "~"):
            switch parameters {
            case "1", "7": return .home
            case "4", "8": return .end
            case "3": return .delete
            default: return .ignored // Insert, PageUp/Down, F-keys, bracketed-paste marks
            }
        default: return .ignored
        }
    }
}
