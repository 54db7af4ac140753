import DossierConsole
import Testing

@Suite struct KeyDecoderTests {
    @Test func textAndControlKeys() {
        var decoder = KeyDecoder()
        var keys = decoder.feed(Array("PING".utf8) + [0x0D])
        #expect(keys == [.text("PING"), .enter])
        keys = decoder.feed([0x7F, 0x03, 0x04, 0x01, 0x05, 0x17])
        #expect(keys == [.backspace, .interrupt, .endOfInput, .home, .end, .deleteWordBackward])
    }

    @Test func utf8SplitAcrossReads() {
        var decoder = KeyDecoder()
        let bytes = Array("合同".utf8) // 6 bytes
        var keys = decoder.feed(bytes[0..<2])
        #expect(keys == [])
        keys = decoder.feed(bytes[2..<4])
        #expect(keys == [.text("合")])
        keys = decoder.feed(bytes[4..<6])
        #expect(keys == [.text("同")])
        keys = decoder.feed(Array("😀".utf8))
        #expect(keys == [.text("😀")])
    }

    @Test func invalidUTF8IsIgnored() {
        var decoder = KeyDecoder()
        var keys = decoder.feed([0xE5, 0x41])
        #expect(keys == [.ignored, .text("A")])
        keys = decoder.feed([0x80])
        #expect(keys == [.ignored])
        keys = decoder.feed([0xC2, 0x85]) // NEL, a C1 control
        #expect(keys == [.ignored])
    }

    @Test func escapeSequences() {
        var decoder = KeyDecoder()
        let esc: UInt8 = 0x1B
        var keys = decoder.feed([esc] + Array("[A".utf8))
        #expect(keys == [.up])
        keys = decoder.feed([esc] + Array("[B".utf8))
        #expect(keys == [.down])
        keys = decoder.feed([esc] + Array("[C".utf8) + [esc] + Array("[D".utf8))
        #expect(keys == [.right, .left])
        keys = decoder.feed([esc] + Array("[H".utf8) + [esc] + Array("OF".utf8))
        #expect(keys == [.home, .end])
        keys = decoder.feed([esc] + Array("[1~".utf8) + [esc] + Array("[4~".utf8))
        #expect(keys == [.home, .end])
        keys = decoder.feed([esc] + Array("[3~".utf8))
        #expect(keys == [.delete])
        keys = decoder.feed([esc] + Array("[1;5C".utf8))
        #expect(keys == [.wordRight])
        keys = decoder.feed([esc] + Array("b".utf8))
        #expect(keys == [.wordLeft])
        keys = decoder.feed([esc] + Array("[15~".utf8)) // F5
        #expect(keys == [.ignored])
    }

    @Test func escapeSequenceSplitAcrossReads() {
        var decoder = KeyDecoder()
        var keys = decoder.feed([0x1B])
        #expect(keys == [])
        keys = decoder.feed(Array("[".utf8))
        #expect(keys == [])
        keys = decoder.feed(Array("1;5".utf8))
        #expect(keys == [])
        keys = decoder.feed(Array("Dx".utf8))
        #expect(keys == [.wordLeft, .text("x")])
    }

    @Test func pasteOfSeveralLines() {
        var decoder = KeyDecoder()
        let keys = decoder.feed(Array("PING\rWHOAMI\r".utf8))
        #expect(keys == [.text("PING"), .enter, .text("WHOAMI"), .enter])
    }
}
