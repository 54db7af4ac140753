/// How many terminal columns text occupies, as a monospaced terminal draws it
/// (the `wcwidth` model): East Asian Wide and Fullwidth characters — Chinese,
/// Japanese kana, Hangul, fullwidth forms, CJK punctuation, emoji — take two
/// columns, combining marks and invisible format characters none, everything
/// else one.
///
/// Widths are counted per Unicode scalar, which is what terminals do; a grapheme
/// cluster's width is the sum of its scalars' widths (`é` written as `e` plus a
/// combining acute is 1). Control characters count 0: callers escape them before
/// display.
public enum DisplayWidth {
    /// Columns taken by `text`.
    public static func of<S: StringProtocol>(_ text: S) -> Int {
        var total = 0
        for scalar in text.unicodeScalars { total += of(scalar) }
        return total
    }

    /// Columns taken by one grapheme cluster.
    public static func of(_ character: Character) -> Int {
        var total = 0
        for scalar in character.unicodeScalars { total += of(scalar) }
        return total
    }

    /// Columns taken by one scalar: 0, 1 or 2.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        // Fast path: printable ASCII is by far the most common input.
        if value >= 0x20 && value < 0x7F { return 1 }
        if scalar.isControlCharacter { return 0 }
        if isZeroWidth(scalar) { return 0 }
        if isWide(value) || scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// `text` followed by spaces up to `width` columns (unchanged if already wider).
    public static func pad<S: StringProtocol>(_ text: S, to width: Int) -> String {
        let missing = width - of(text)
        return missing > 0 ? String(text) + String(repeating: " ", count: missing) : String(text)
    }

    /// Combining marks (drawn on the previous character), invisible format
    /// characters (zero-width joiner, bidi marks) and conjoining Hangul vowels and
    /// finals (drawn inside the initial consonant's two columns).
    static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark:
            return true
        case .format:
            // U+00AD SOFT HYPHEN is Cf but terminals draw it (wcwidth says 1).
            return scalar.value != 0xAD
        default:
            return (0x1160...0x11FF).contains(scalar.value) || (0xD7B0...0xD7FF).contains(scalar.value)
        }
    }

    /// East Asian Wide (W) and Fullwidth (F) blocks, from Unicode's EastAsianWidth.txt
    /// (grouped by block; the emoji among W are covered by `isEmojiPresentation`).
    static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F: true            // Hangul Jamo initial consonants
        case 0x2329...0x232A: true            // angle brackets 〈 〉
        case 0x2E80...0x303E: true            // CJK radicals, Kangxi, CJK symbols and punctuation
        case 0x3041...0x33FF: true            // Hiragana, Katakana, Bopomofo, Hangul compatibility, CJK compatibility
        case 0x3400...0x4DBF: true            // CJK Unified Ideographs Extension A
        case 0x4E00...0x9FFF: true            // CJK Unified Ideographs
        case 0xA000...0xA4CF: true            // Yi syllables and radicals
        case 0xA960...0xA97F: true            // Hangul Jamo Extended-A
        case 0xAC00...0xD7A3: true            // Hangul syllables
        case 0xF900...0xFAFF: true            // CJK Compatibility Ideographs
        case 0xFE10...0xFE19: true            // vertical forms
        case 0xFE30...0xFE6F: true            // CJK compatibility forms, small form variants
        case 0xFF00...0xFF60: true            // fullwidth ASCII variants, fullwidth brackets
        case 0xFFE0...0xFFE6: true            // fullwidth signs ￥ ￡ …
        case 0x16FE0...0x16FE4: true          // ideographic symbols
        case 0x17000...0x18CFF: true          // Tangut, Khitan
        case 0x1B000...0x1B2FF: true          // Kana supplement and extensions, Nüshu
        case 0x1F200...0x1F2FF: true          // enclosed ideographic supplement
        case 0x20000...0x2FFFD: true          // CJK Extensions B–F, compatibility supplement
        case 0x30000...0x3FFFD: true          // CJK Extensions G, H
        default: false
        }
    }
}
