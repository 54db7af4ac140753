import Testing
@testable import DossierProtocol

/// `CommandParser.isBarePing`, the fast path for PING (issue 17): it accepts
/// only lines the general path (tokenizer, table, argument binding) also
/// reads as a bare PING, so every line gets the same command or the same error
/// whichever path it takes.
@Suite("PING fast path")
struct PingFastPathTests {
    /// What the general path makes of a line, without the fast path.
    static func general(_ line: String, authenticated: Bool) -> Result<Command?, ProtocolError> {
        do {
            guard let request = try RequestLine.parse(line) else { return .success(nil) }
            return .success(try CommandParser.parse(request, authenticated: authenticated))
        } catch {
            return .failure(error)
        }
    }

    static func parsed(_ line: String, authenticated: Bool) -> Result<Command?, ProtocolError> {
        do { return .success(try CommandParser.parse(line, authenticated: authenticated)) } catch { return .failure(error) }
    }

    static let taken = ["PING", "ping", "Ping", "pInG", " PING", "PING ", "\tping\t", "  \t PiNg \t  "]

    static let notTaken = [
        // Arguments, glued or quoted text: the general path decides (an error, or PING).
        "PING x", "PING  x y", "PING=1", "ping=1", "PING\"", "\"PING\"", "“PING”", "PING key=v",
        // Other words, near misses.
        "PINGS", "PIN", "PNG", "XPING", "P ING", "PONG", "",
        // Non-ASCII look-alikes: full-width letters, a dotless i (upper-cases to I), an
        // ideographic space (not a separator), control characters.
        "ＰＩＮＧ", "ｐｉｎｇ", "pıng", "PİNG", "PING\u{3000}", "\u{3000}PING", "PING\r", "PING\u{0}", "PING\u{0B}",
        "PING\n", "PI\u{0}G", "PI\u{AD}NG",
    ]

    @Test func takesOnlyBarePingInAnyASCIICase() {
        for line in Self.taken { #expect(CommandParser.isBarePing(line), "\(line.debugDescription)") }
        for line in Self.notTaken { #expect(!CommandParser.isBarePing(line), "\(line.debugDescription)") }
    }

    @Test func sameCommandOrErrorAsTheGeneralPath() {
        for line in Self.taken + Self.notTaken {
            for authenticated in [false, true] {
                #expect(Self.parsed(line, authenticated: authenticated) == Self.general(line, authenticated: authenticated),
                        "\(line.debugDescription) authenticated=\(authenticated)")
            }
        }
        for line in Self.taken {
            #expect(Self.general(line, authenticated: false) == .success(.ping), "\(line.debugDescription)")
        }
    }

    /// Every line of up to five bytes from an alphabet around "ping": the fast
    /// path never answers where the general path would not say PING.
    @Test func exhaustiveShortLines() {
        let alphabet: [UInt8] = Array("pPiInNgG \t\"x".utf8)
        var line: [UInt8] = []
        var mismatches: [String] = []
        var taken = 0
        func visit() {
            let text = String(decoding: line, as: UTF8.self)
            if CommandParser.isBarePing(text) {
                taken += 1
                if Self.general(text, authenticated: false) != .success(.ping) { mismatches.append(text) }
            }
            guard line.count < 5 else { return }
            for byte in alphabet {
                line.append(byte)
                visit()
                line.removeLast()
            }
        }
        visit()
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
        // "ping" in 16 cases, alone or with one space or tab before or after.
        #expect(taken == 16 * 5)
    }
}
