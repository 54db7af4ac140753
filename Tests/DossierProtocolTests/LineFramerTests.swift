import Testing
import TestSupport
@testable import DossierProtocol

@Suite("Line framer")
struct LineFramerTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func linesLFAndCRLF() {
        var framer = LineFramer()
        #expect(framer.feed(bytes("PING\nWHOAMI\r\nQUIT\n")) == [.line("PING"), .line("WHOAMI"), .line("QUIT")])
        #expect(framer.bufferedByteCount == 0)
    }

    @Test func blankLinesProduceNothing() {
        var framer = LineFramer()
        #expect(framer.feed(bytes("\n\r\n  \t \nPING\n \r\n")) == [.line("PING")])
    }

    @Test func lineSplitAcrossManyChunks() {
        var framer = LineFramer()
        let line = "DOSSIER NEW customer=C-2026-00001 category=HT title=\"2026 年度框架合同\""
        var events: [LineFramer.Event] = []
        for byte in bytes(line + "\r\n") { events += framer.feed([byte]) }
        #expect(events == [.line(line)])
    }

    @Test func crlfSplitBetweenChunks() {
        var framer = LineFramer()
        #expect(framer.feed(bytes("PING\r")) == [])
        #expect(framer.feed(bytes("\nQUIT\r")) == [.line("PING")])
        #expect(framer.feed(bytes("\n")) == [.line("QUIT")])
    }

    @Test func loneCRStaysInTheLine() {
        var framer = LineFramer()
        #expect(framer.feed(bytes("a\rb\n")) == [.line("a\rb")])
        #expect(framer.feed(bytes("a\r\r\n")) == [.line("a\r")])
    }

    @Test func multibyteCharacterSplitAcrossChunks() {
        var framer = LineFramer()
        let encoded = bytes("档案\n")
        #expect(framer.feed(encoded[0..<2]) == [])
        #expect(framer.feed(encoded[2..<4]) == [])
        #expect(framer.feed(encoded[4...]) == [.line("档案")])
    }

    @Test func exactlyAtTheLimit() {
        var framer = LineFramer(limits: ProtocolLimits(maximumLineLength: 4))
        #expect(framer.feed(bytes("abcd\n")) == [.line("abcd")])
        #expect(framer.feed(bytes("abcd\r\n")) == [.line("abcd")])
        #expect(framer.feed(bytes("abcd\r")) == [])
        #expect(framer.feed(bytes("\n")) == [.line("abcd")])
        #expect(framer.feed(bytes("abcde\n")) == [.tooLong])
        #expect(framer.feed(bytes("abcd\rx\n")) == [.tooLong])
        #expect(framer.feed(bytes("ok\n")) == [.line("ok")])
    }

    @Test func tooLongOnceThenDiscardsUntilNewline() {
        var framer = LineFramer(limits: ProtocolLimits(maximumLineLength: 8))
        #expect(framer.feed(bytes("0123456789")) == [.tooLong])
        #expect(framer.bufferedByteCount == 0)
        #expect(framer.feed(bytes("more more more")) == [])
        #expect(framer.feed(bytes("tail\nPING\n")) == [.line("PING")])
    }

    @Test func oneMebibyteLine() {
        var framer = LineFramer()
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
        var events: [LineFramer.Event] = []
        for _ in 0..<16 {
            events += framer.feed(chunk)
            #expect(framer.bufferedByteCount <= ProtocolLimits.default.maximumLineLength + 1)
        }
        events += framer.feed(bytes("\nPING\n"))
        #expect(events == [.tooLong, .line("PING")])
    }

    @Test func oneMebibyteLineInOneChunk() {
        var framer = LineFramer()
        var data = [UInt8](repeating: UInt8(ascii: "y"), count: 1 << 20)
        data += bytes("\nWHOAMI\n")
        #expect(framer.feed(data) == [.tooLong, .line("WHOAMI")])
    }

    @Test func invalidUTF8AndNUL() {
        var framer = LineFramer()
        #expect(framer.feed([0x50, 0xFF, 0x0A]) == [.invalid(.invalidUTF8)])
        #expect(framer.feed([0x50, 0x00, 0x51, 0x0A]) == [.invalid(.nulByte)])
        #expect(framer.feed([0xED, 0xA0, 0x80, 0x0A]) == [.invalid(.invalidUTF8)])  // a surrogate
        #expect(framer.feed([0xC0, 0x80, 0x0A]) == [.invalid(.invalidUTF8)])  // overlong NUL
        #expect(framer.feed(bytes("PING\n")) == [.line("PING")])
        #expect(LineFramer.InvalidLine.nulByte.error.code == .syntax)
    }

    @Test func finishFlushesALastLineWithoutNewline() {
        var framer = LineFramer()
        #expect(framer.feed(bytes("PING\nQUIT")) == [.line("PING")])
        #expect(framer.finish() == .line("QUIT"))
        #expect(framer.finish() == nil)
        var discarding = LineFramer(limits: ProtocolLimits(maximumLineLength: 2))
        #expect(discarding.feed(bytes("abcdef")) == [.tooLong])
        #expect(discarding.finish() == nil)
    }

    @Test func acceptsAnyByteCollection() {
        var framer = LineFramer()
        let data = bytes("xPING\n")
        #expect(framer.feed(data[1...]) == [.line("PING")])
        #expect(framer.feed(bytes("QUIT\n").lazy.map { $0 }) == [.line("QUIT")])
    }

    /// Random bytes in random chunks give the same events as framing the whole stream at once.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func randomBytesMatchTheReference(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let alphabet: [UInt8] = [0x61, 0x62, 0x20, 0x09, 0x0D, 0x0A, 0x0A, 0x00, 0xFF, 0xE6, 0xA1, 0xA3, 0x80]
        let maximum = Int.random(in: 1...12, using: &rng)
        for _ in 0..<200 {
            let stream = (0..<Int.random(in: 0...120, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            var framer = LineFramer(limits: ProtocolLimits(maximumLineLength: maximum))
            var events: [LineFramer.Event] = []
            var index = 0
            while index < stream.count {
                let size = Int.random(in: 1...9, using: &rng)
                events += framer.feed(stream[index..<min(stream.count, index + size)])
                index += size
                #expect(framer.bufferedByteCount <= maximum + 1)
            }
            if let last = framer.finish() { events.append(last) }
            #expect(events == reference(stream, maximum: maximum), "stream \(stream) max \(maximum)")
        }
    }

    /// The framing rules applied to a whole stream, as simply as possible.
    private func reference(_ stream: [UInt8], maximum: Int) -> [LineFramer.Event] {
        var segments = stream.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if segments.last?.isEmpty == true { segments.removeLast() }
        return segments.compactMap { segment in
            var content = segment
            if content.last == 0x0D { content.removeLast() }
            if content.count > maximum { return .tooLong }
            if content.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
            if content.contains(0) { return .invalid(.nulByte) }
            guard let text = String(validating: content, as: UTF8.self) else { return .invalid(.invalidUTF8) }
            return .line(text)
        }
    }
}
