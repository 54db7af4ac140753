/// Encodes responses for `FORMAT text` (PROTOCOL.md, "Framing" and "Tokens").
///
/// - A data line is `* ` and the fields as `key=value`, separated by one space.
/// - A value is quoted when it is empty or holds a space, tab, `"`, `\`, `=` or a
///   control character (C0, DEL, C1). Inside quotes `"` and `\` are escaped, newline,
///   tab and carriage return are `\n` `\t` `\r`, any other control character is
///   `\u{X}` (hex, as in Swift). Everything else, Chinese included, is written as is.
/// - The final line's text is free text and not quoted; because it must stay on one
///   line, each control character in it becomes a space.
/// - Every line ends with `\n`.
public enum TextResponseEncoder {
    public static func encode(_ response: Response) -> String {
        var bytes: [UInt8] = []
        encode(response, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `encode(response)` as UTF-8, appended to `out`: the server's path. A page
    /// of rows is written byte by byte instead of through `String` appends,
    /// which cost a fifth of the daemon's CPU on a 50-row APPROVAL LIST (issue 17).
    public static func encode(_ response: Response, into out: inout [UInt8]) {
        for row in response.rows { appendRow(row, to: &out) }
        out.append(contentsOf: encodeFinal(response.final).utf8)
    }

    /// `* key=value …\n`
    public static func encodeRow(_ row: Row) -> String {
        var bytes: [UInt8] = []
        appendRow(row, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func appendRow(_ row: Row, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        for field in row.fields {
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: field.key.utf8)
            out.append(UInt8(ascii: "="))
            appendValue(field.value, to: &out)
        }
        out.append(UInt8(ascii: "\n"))
    }

    /// `OK text\n` or `ERR CODE message\n`.
    public static func encodeFinal(_ final: Response.Final) -> String {
        switch final {
        case .ok(let text):
            let clean = singleLine(text)
            return clean.isEmpty ? "OK\n" : "OK \(clean)\n"
        case .error(let error):
            let clean = singleLine(error.message)
            return clean.isEmpty ? "ERR \(error.code.rawValue)\n" : "ERR \(error.code.rawValue) \(clean)\n"
        }
    }

    /// The greeting sent on connect: `OK DOSSIER/1 <text>\n`.
    public static func greeting(_ text: String) -> String { encodeFinal(.ok("DOSSIER/1 " + text)) }

    /// Whether a value must be quoted to read back as itself.
    public static func needsQuoting(_ value: String) -> Bool {
        var value = value
        return value.withUTF8(needsQuoting)
    }

    /// `needsQuoting` on the value's UTF-8: a space, `"`, `\`, `=`, a C0 control
    /// or DEL (one byte each), a C1 control (U+0080–U+009F: C2 80–C2 9F) or an
    /// input method's opening quote (U+201C: E2 80 9C), which opens a quote in
    /// a request (Tokenizer). The bytes are valid UTF-8 (a `String`'s).
    static func needsQuoting(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        if utf8.isEmpty { return true }
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            switch byte {
            case 0..<0x20, 0x7F, UInt8(ascii: " "), UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "="):
                return true
            case 0xC2:
                if index + 1 < utf8.count, (0x80...0x9F).contains(utf8[index + 1]) { return true }
            case 0xE2:
                if index + 2 < utf8.count, utf8[index + 1] == 0x80, utf8[index + 2] == 0x9C { return true }
            default:
                break
            }
            index += 1
        }
        return false
    }

    /// The value as written in a data line (or a request): bare or quoted.
    public static func quote(_ value: String) -> String {
        var bytes: [UInt8] = []
        appendValue(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `quote(value)`'s bytes appended to `out`.
    static func appendValue(_ value: String, to out: inout [UInt8]) {
        var value = value
        // One pass over the bytes for the usual bare value: scanned, then copied.
        let bare = value.withUTF8 { utf8 in
            guard !needsQuoting(utf8) else { return false }
            out.append(contentsOf: utf8)
            return true
        }
        if bare { return }
        out.append(UInt8(ascii: "\""))
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: #"\""#.utf8)
            case "\\": out.append(contentsOf: #"\\"#.utf8)
            case "\n": out.append(contentsOf: #"\n"#.utf8)
            case "\t": out.append(contentsOf: #"\t"#.utf8)
            case "\r": out.append(contentsOf: #"\r"#.utf8)
            default:
                if isControl(scalar) {
                    out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".utf8)
                } else {
                    UTF8.encode(scalar) { out.append($0) }
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    static func singleLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? " " : $0 }))
    }
}
