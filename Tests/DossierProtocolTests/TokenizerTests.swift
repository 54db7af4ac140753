import Testing
@testable import DossierProtocol

@Suite("Tokenizer")
struct TokenizerTests {
    @Test func positionalAndKeyValue() throws {
        #expect(try Tokenizer.tokenize("ITEM ADD D17 title=x pages=12") == [
            .positional("ITEM"), .positional("ADD"), .positional("D17"),
            .keyValue(key: "title", value: "x"), .keyValue(key: "pages", value: "12"),
        ])
    }

    @Test func spacesAndTabsSeparate() throws {
        #expect(try Tokenizer.tokenize(" \tPING \t  a\tb=c \t") == [.positional("PING"), .positional("a"), .keyValue(key: "b", value: "c")])
        #expect(try Tokenizer.tokenize("   \t ") == [])
        #expect(try Tokenizer.tokenize("") == [])
    }

    @Test func quotedValueWithChinese() throws {
        #expect(try Tokenizer.tokenize(#"DOSSIER NEW title="2026 年度框架合同" x=1"#) == [
            .positional("DOSSIER"), .positional("NEW"), .keyValue(key: "title", value: "2026 年度框架合同"), .keyValue(key: "x", value: "1"),
        ])
    }

    @Test func unquotedChinese() throws {
        #expect(try Tokenizer.tokenize("CUSTOMER FIND 北京科技") == [.positional("CUSTOMER"), .positional("FIND"), .positional("北京科技")])
    }

    @Test func quotedPositional() throws {
        #expect(try Tokenizer.tokenize(#"CUSTOMER FIND "北京 科技""#).last == .positional("北京 科技"))
        // A quoted token is positional even when it holds `=`.
        #expect(try Tokenizer.tokenize(#"AUTH li.na "a=b""#).last == .positional("a=b"))
    }

    @Test func escapes() throws {
        #expect(try Tokenizer.tokenize(#"x="a\"b\\c\nd\te\rf""#) == [.keyValue(key: "x", value: "a\"b\\c\nd\te\rf")])
        #expect(try Tokenizer.tokenize(#"x="\u{1}\u{7F}\u{4E2D}""#) == [.keyValue(key: "x", value: "\u{1}\u{7F}中")])
    }

    @Test func emptyValues() throws {
        #expect(try Tokenizer.tokenize(#"a= b="" """#) == [.keyValue(key: "a", value: ""), .keyValue(key: "b", value: ""), .positional("")])
    }

    @Test func equalsInValueSplitsAtFirst() throws {
        #expect(try Tokenizer.tokenize("note=a=b==c") == [.keyValue(key: "note", value: "a=b==c")])
        #expect(try Tokenizer.tokenize(#"note="x=y""#) == [.keyValue(key: "note", value: "x=y")])
    }

    @Test func invalidKeyMakesPositional() throws {
        #expect(try Tokenizer.tokenize("Title=x") == [.positional("Title=x")])
        #expect(try Tokenizer.tokenize("=x") == [.positional("=x")])
        #expect(try Tokenizer.tokenize("a-b=c") == [.positional("a-b=c")])
        #expect(try Tokenizer.tokenize("9a=c") == [.positional("9a=c")])
        #expect(try Tokenizer.tokenize("_a9=c") == [.keyValue(key: "_a9", value: "c")])
        #expect(try Tokenizer.tokenize("abc+/=") == [.positional("abc+/=")])
    }

    @Test func backslashOutsideQuotesIsLiteral() throws {
        #expect(try Tokenizer.tokenize(#"location=A\03"#) == [.keyValue(key: "location", value: #"A\03"#)])
    }

    @Test(arguments: [
        #"title="abc"#,            // unterminated
        #""abc"#,
        #"x="a\"#,                  // escape at end
        #"x="a\q""#,                // unknown escape
        #"x="\u{}""#,
        #"x="\u{110000}""#,
        #"x="\u{D800}""#,
        #"x="\u41""#,
        #"x="\u{0}""#,              // NUL even escaped
        #"ab"cd""#,                 // quote inside a bare word
        #"Title="a b""#,            // quote after an invalid key
        #""a"b"#,                   // text glued to a closing quote
        #"x="a"b"#,
        "PING \u{1}",               // raw control characters
        "x=\"a\nb\"",
        "PING\r",
        "x=\u{85}",
    ])
    func syntaxErrors(line: String) {
        #expect(throws: ProtocolError.self) { try Tokenizer.tokenize(line) }
        do { _ = try Tokenizer.tokenize(line) } catch { #expect(error.code == .syntax) }
    }

    @Test func unterminatedQuoteMessage() {
        #expect(throws: ProtocolError.syntax("unterminated quote")) { try Tokenizer.tokenize(#"DOSSIER NEW title="x"#) }
    }

    @Test func requestLineVerbIsCaseInsensitive() throws {
        let request = try #require(try RequestLine.parse("dossier new"))
        #expect(request.verbWord == "DOSSIER")
        #expect(try RequestLine.parse(" \t ") == nil)
    }

    // MARK: Chinese input methods (issue 11)

    @Test func imeQuotesQuoteLikeASCIIQuotes() throws {
        #expect(try Tokenizer.tokenize("DOSSIER NEW title=\u{201C}合同 二期\u{201D} level=internal") == [
            .positional("DOSSIER"), .positional("NEW"), .keyValue(key: "title", value: "合同 二期"),
            .keyValue(key: "level", value: "internal"),
        ])
        #expect(try Tokenizer.tokenize("CUSTOMER FIND \u{201C}北京 科技\u{201D}").last == .positional("北京 科技"))
        // Escapes work as inside "…"; a plain " inside is text.
        #expect(try Tokenizer.tokenize("x=\u{201C}a\"b\\n\u{201D}") == [.keyValue(key: "x", value: "a\"b\n")])
        // Inside "…" the IME quotes are text, as before.
        #expect(try Tokenizer.tokenize("x=\"他说\u{201C}好\u{201D}\"") == [.keyValue(key: "x", value: "他说\u{201C}好\u{201D}")])
        #expect(throws: ProtocolError.syntax("unterminated quote")) { try Tokenizer.tokenize("x=\u{201C}合同") }
        #expect(throws: ProtocolError.syntax("expected a space after a closing quote")) { try Tokenizer.tokenize("x=\u{201C}a\u{201D}b") }
        // A closing IME quote alone is text.
        #expect(try Tokenizer.tokenize("x=a\u{201D}") == [.keyValue(key: "x", value: "a\u{201D}")])
    }

    @Test func fullWidthEqualsAfterAKey() throws {
        #expect(try Tokenizer.tokenize("title\u{FF1D}合同") == [.keyValue(key: "title", value: "合同")])
        #expect(try Tokenizer.tokenize("title\u{FF1D}\u{201C}合同 二期\u{201D}") == [.keyValue(key: "title", value: "合同 二期")])
        // After the key's `=`, or after a non-key, it is text.
        #expect(try Tokenizer.tokenize("note=a\u{FF1D}b") == [.keyValue(key: "note", value: "a\u{FF1D}b")])
        #expect(try Tokenizer.tokenize("\u{FF1D}x") == [.positional("\u{FF1D}x")])
        #expect(try Tokenizer.tokenize("Title\u{FF1D}x") == [.positional("Title\u{FF1D}x")])
    }

    @Test func imeLineParsesAsItsASCIISpelling() throws {
        let ime = "DOSSIER NEW customer\u{FF1D}C-2026-00001 category=HT title=\u{201C}合同 二期\u{201D}"
        let ascii = #"DOSSIER NEW customer=C-2026-00001 category=HT title="合同 二期""#
        #expect(try CommandParser.parse(ime) == CommandParser.parse(ascii))
    }

    @Test func encoderQuotesAnOpeningIMEQuote() throws {
        #expect(TextResponseEncoder.quote("\u{201C}x") == "\"\u{201C}x\"")
        #expect(try Tokenizer.tokenize("v=" + TextResponseEncoder.quote("\u{201C}x")) == [.keyValue(key: "v", value: "\u{201C}x")])
    }
}
