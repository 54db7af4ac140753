import Foundation
import Testing
import TestSupport
@testable import DossierProtocol

@Suite("Response encoders")
struct EncoderTests {
    @Test func exampleSessionShowRow() {
        let row: Row = [
            "ref": "D17", "number": "", "customer": "C-2026-00001", "category": "HT", "title": "2026 年度框架合同",
            "level": "internal", "scope": "personal", "status": "submitted", "owner": "li.na", "dept": "SH",
            "location": "", "filed_at": "", "retain_until": "", "hold": "no",
        ]
        #expect(TextResponseEncoder.encode(.rows([row])) == """
            * ref=D17 number="" customer=C-2026-00001 category=HT title="2026 年度框架合同" level=internal scope=personal status=submitted owner=li.na dept=SH location="" filed_at="" retain_until="" hold=no
            OK 1

            """)
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("中文", "中文"),
        ("", #""""#),
        ("a b", #""a b""#),
        ("a\tb", #""a\tb""#),
        ("a\"b", #""a\"b""#),
        (#"a\b"#, #""a\\b""#),
        ("a=b", #""a=b""#),
        ("a\nb", #""a\nb""#),
        ("a\rb", #""a\rb""#),
        ("\u{1}", #""\u{1}""#),
        ("\u{7F}", #""\u{7F}""#),
        ("\u{85}", #""\u{85}""#),
        ("2026-03-01T09:00:00+08:00", "2026-03-01T09:00:00+08:00"),
        ("\u{9F}", #""\u{9F}""#),
        ("\u{A0}", "\u{A0}"),
        ("“引号”", #""“引号”""#),
        ("a”b’c", "a”b’c"),
        ("€", "€"),
    ])
    func quoting(value: String, encoded: String) {
        #expect(TextResponseEncoder.quote(value) == encoded)
    }

    @Test func finalLines() {
        #expect(TextResponseEncoder.encode(.ok()) == "OK\n")
        #expect(TextResponseEncoder.encode(.ok("PONG")) == "OK PONG\n")
        #expect(TextResponseEncoder.encode(.error(.denied, "not yours")) == "ERR DENIED not yours\n")
        #expect(TextResponseEncoder.encode(.error(.conflict, "line1\nline2\r\u{0}x")) == "ERR CONFLICT line1 line2  x\n")
        #expect(TextResponseEncoder.greeting("dossierd ready") == "OK DOSSIER/1 dossierd ready\n")
    }

    @Test func errorCodesAreTheContractSet() {
        #expect(ErrorCode.allCases.map(\.rawValue) == [
            "SYNTAX", "UNKNOWN", "ARGS", "AUTH", "DENIED", "NOTFOUND", "CONFLICT", "LIMIT", "UNAVAILABLE", "INTERNAL", "SHUTDOWN",
        ])
    }

    @Test func jsonOK() {
        let response = Response.rows([["id": "A1", "kind": "file"], ["id": "A2", "kind": "loan"]], suffix: "next=A2")
        #expect(JSONResponseEncoder.encode(response) ==
            #"{"ok":true,"message":"2 next=A2","rows":[{"id":"A1","kind":"file"},{"id":"A2","kind":"loan"}]}"# + "\n")
        #expect(JSONResponseEncoder.encode(.ok("PONG")) == #"{"ok":true,"message":"PONG","rows":[]}"# + "\n")
    }

    @Test func jsonError() {
        var response = Response.error(.denied, "content \"refused\"")
        response.rows = [["x": "1"]]
        #expect(JSONResponseEncoder.encode(response) == #"{"ok":false,"code":"DENIED","message":"content \"refused\""}"# + "\n")
    }

    @Test func jsonEscaping() {
        var out = ""
        JSONResponseEncoder.appendString("a\"b\\c\nd\re\tf\u{8}\u{C}\u{1}\u{1F}\u{7F}中\u{2028}😀/", to: &out)
        #expect(out == #""a\"b\\c\nd\re\tf\b\f\u0001\u001f"# + "\u{7F}中" + #"\u2028"# + "😀/\"")
    }

    @Test func jsonIsOneLineAndValid() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let row = Row((0..<3).map { Field("k\($0)", randomText(using: &rng)) })
            let line = JSONResponseEncoder.encode(.rows([row], suffix: randomText(using: &rng)))
            #expect(line.last == "\n")
            #expect(!line.dropLast().contains("\n"))
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let rows = object?["rows"] as? [[String: String]]
            #expect(rows?.first == Dictionary(uniqueKeysWithValues: row.fields.map { ($0.key, $0.value) }))
        }
    }

    @Test func textRoundTrip() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<500 {
            let row = Row((0..<Int.random(in: 1...5, using: &rng)).map { Field("f_\($0)", randomText(using: &rng)) })
            let encoded = TextResponseEncoder.encodeRow(row)
            #expect(encoded.last == "\n")
            #expect(!encoded.dropLast().contains("\n"), "a data line must stay one line")
            #expect(try ResponseLine.parse(String(encoded.dropLast())) == .row(row))
        }
    }

    @Test func requestRoundTrip() throws {
        // A client quoting with the same function gets its text back through the parser.
        var rng = SplitMix64(seed: 9)
        for _ in 0..<300 {
            let title = "t" + randomText(using: &rng)
            let line = "DOSSIER NEW customer=C-2026-00001 category=HT title=" + TextResponseEncoder.quote(title)
            guard case .dossierNew(let new)? = try CommandParser.parse(line) else { Issue.record(Comment(rawValue: line)); continue }
            #expect(new.title == title)
        }
    }

    @Test func responseLineParsing() throws {
        #expect(try ResponseLine.parse("OK") == .ok(""))
        #expect(try ResponseLine.parse("OK li.na role=rep dept=SH") == .ok("li.na role=rep dept=SH"))
        #expect(try ResponseLine.parse("ERR NOTFOUND no such dossier") == .error(code: .notFound, codeText: "NOTFOUND", message: "no such dossier"))
        #expect(try ResponseLine.parse("ERR FUTURE x") == .error(code: nil, codeText: "FUTURE", message: "x"))
        #expect(throws: ProtocolError.self) { try ResponseLine.parse("hello") }
    }

    /// The byte scan (`needsQuoting` on UTF-8) says what the definition on
    /// Unicode scalars says, for every piece of `randomText` and mixes of them.
    @Test func quotingScanMatchesScalarDefinition() {
        func byDefinition(_ value: String) -> Bool {
            value.isEmpty || value.unicodeScalars.contains { scalar in
                " \"\\=".unicodeScalars.contains(scalar) || scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                    || scalar == Tokenizer.imeOpen
            }
        }
        var rng = SplitMix64(seed: 7)
        let scalars = (0...0x2FF).compactMap(Unicode.Scalar.init) + ["\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2028}", "€"]
        for scalar in scalars {
            #expect(TextResponseEncoder.needsQuoting(String(scalar)) == byDefinition(String(scalar)), "U+\(String(scalar.value, radix: 16))")
        }
        for _ in 0..<500 {
            let value = randomText(using: &rng) + (Bool.random(using: &rng) ? "“" : "")
            #expect(TextResponseEncoder.needsQuoting(value) == byDefinition(value))
        }
    }

    @Test func bytesAreTheStringsUTF8() {
        let response = Response.rows([["title": "档案 “一”", "n": "1"], ["title": "", "n": "2"]], suffix: "next=d2")
        for format in [OutputFormat.text, .json] {
            var bytes: [UInt8] = [1, 2]
            ResponseEncoder(format: format).encode(response, into: &bytes)
            #expect(bytes == [1, 2] + Array(ResponseEncoder(format: format).encode(response).utf8))
        }
    }

    @Test func encoderByFormat() {
        #expect(ResponseEncoder(format: .text).encode(.ok("x")) == "OK x\n")
        #expect(ResponseEncoder(format: .json).encode(.ok("x")) == #"{"ok":true,"message":"x","rows":[]}"# + "\n")
    }

    @Test func rowAppendHelpers() {
        var row = Row()
        row.append("hold", false)
        row.append("number", Optional<String>.none)
        row.append("amount", 5 as Int?)
        #expect(TextResponseEncoder.encodeRow(row) == "* hold=no number=\"\" amount=5\n")
    }
}

/// Text that exercises quoting: Chinese, quotes, backslashes, `=`, tabs, newlines,
/// other controls, emoji, and plain ASCII.
func randomText(using rng: inout SplitMix64) -> String {
    let pieces: [String] = ["a", "Z", "0", " ", "\t", "\n", "\r", "\"", "\\", "=", "中", "档案", "\u{1}", "\u{7F}", "\u{85}",
                            "😀", "\\n", "\\\"", "*", "OK", "-", ":", "é", "\u{2028}", "“", "”", "\u{9F}", "\u{A0}"]
    let count = Int.random(in: 0...12, using: &rng)
    return (0..<count).map { _ in pieces.randomElement(using: &rng)! }.joined()
}
