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
        var out = ""
        for row in response.rows { out += encodeRow(row) }
        out += encodeFinal(response.final)
        return out
    }

    /// `* key=value …\n`
    public static func encodeRow(_ row: Row) -> String {
        var line = "*"
        for field in row.fields {
            line += " " + field.key + "=" + quote(field.value)
        }
        return line + "\n"
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
        value.isEmpty || value.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "\"" || scalar == "\\" || scalar == "=" || isControl(scalar)
                // An input method's opening quote opens a quote in a request (Tokenizer).
                || scalar == Tokenizer.imeOpen
        }
    }

    /// The value as written in a data line (or a request): bare or quoted.
    public static func quote(_ value: String) -> String {
        guard needsQuoting(value) else { return value }
        var out = String.UnicodeScalarView()
        out.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: #"\""#.unicodeScalars)
            case "\\": out.append(contentsOf: #"\\"#.unicodeScalars)
            case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
            case "\t": out.append(contentsOf: #"\t"#.unicodeScalars)
            case "\r": out.append(contentsOf: #"\r"#.unicodeScalars)
            default:
                if isControl(scalar) {
                    out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
                } else {
                    out.append(scalar)
                }
            }
        }
        out.append("\"")
        return String(out)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    static func singleLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? " " : $0 }))
    }
}
