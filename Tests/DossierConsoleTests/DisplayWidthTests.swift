import DossierConsole
import Testing

@Suite struct DisplayWidthTests {
    @Test func asciiIsOneColumnEach() {
        #expect(DisplayWidth.of("") == 0)
        #expect(DisplayWidth.of("PING") == 4)
        #expect(DisplayWidth.of("ref=D17 title=x") == 15)
    }

    @Test func chineseIsTwoColumnsEach() {
        #expect(DisplayWidth.of("合同") == 4)
        #expect(DisplayWidth.of("销售合同") == 8)
        #expect(DisplayWidth.of("，。") == 4) // fullwidth and CJK punctuation
        #expect(DisplayWidth.of("　") == 2)   // ideographic space
    }

    @Test func mixedTextAddsUp() {
        #expect(DisplayWidth.of("2026 年度框架合同") == 5 + 12)
        #expect(DisplayWidth.of("A-03 仓库") == 5 + 4)
    }

    @Test func otherWideScripts() {
        #expect(DisplayWidth.of("ひらがな") == 8)  // Hiragana
        #expect(DisplayWidth.of("カタカナ") == 8)  // Katakana
        #expect(DisplayWidth.of("한국어") == 6)    // Hangul syllables
        #expect(DisplayWidth.of("ＡＢ１") == 6)    // fullwidth forms
        #expect(DisplayWidth.of("ｱｲ") == 2)       // halfwidth Katakana stay narrow
        #expect(DisplayWidth.of("𠀋") == 2)        // CJK Extension B, outside the BMP
        #expect(DisplayWidth.of("👍") == 2)        // emoji presentation
    }

    @Test func combiningMarksTakeNoColumn() {
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.of("Cafe\u{301}") == 4)
        #expect(DisplayWidth.of(Character("e\u{301}")) == 1)
        #expect(DisplayWidth.of("a\u{20DD}") == 1)         // enclosing mark
        #expect(DisplayWidth.of("\u{200D}\u{200B}") == 0)  // joiner, zero width space
        #expect(DisplayWidth.of("か\u{3099}") == 2)         // combining voiced mark on kana
        #expect(DisplayWidth.of("\u{1100}\u{1161}") == 2)  // conjoining Hangul jamo
    }

    @Test func controlCharactersTakeNoColumn() {
        #expect(DisplayWidth.of("\u{1B}") == 0)
        #expect(DisplayWidth.of("\u{85}") == 0)
    }

    @Test func padUsesDisplayWidth() {
        #expect(DisplayWidth.pad("合同", to: 6) == "合同  ")
        #expect(DisplayWidth.pad("abc", to: 6) == "abc   ")
        #expect(DisplayWidth.pad("合同正本", to: 6) == "合同正本")
    }
}
