/// Encodes responses for `FORMAT json`: exactly one line per response.
///
/// `{"ok":true,"message":"…","rows":[{…},…]}` or
/// `{"ok":false,"code":"DENIED","message":"…"}`. Row values are always JSON strings
/// (the same text the text encoder writes), keys keep their row order, and the rows of
/// a failed response are dropped: a failed command changes and reports nothing.
public enum JSONResponseEncoder {
    public static func encode(_ response: Response) -> String {
        var out = ""
        switch response.final {
        case .ok(let message):
            out += #"{"ok":true,"message":"#
            appendString(message, to: &out)
            out += #","rows":["#
            for (index, row) in response.rows.enumerated() {
                if index > 0 { out += "," }
                out += "{"
                for (fieldIndex, field) in row.fields.enumerated() {
                    if fieldIndex > 0 { out += "," }
                    appendString(field.key, to: &out)
                    out += ":"
                    appendString(field.value, to: &out)
                }
                out += "}"
            }
            out += "]}"
        case .error(let error):
            out += #"{"ok":false,"code":"#
            appendString(error.code.rawValue, to: &out)
            out += #","message":"#
            appendString(error.message, to: &out)
            out += "}"
        }
        return out + "\n"
    }

    /// A JSON string literal (RFC 8259). Control characters are escaped, so the output
    /// never contains a raw newline; U+2028/U+2029 are escaped too, for consumers
    /// that treat JSON as JavaScript. Other characters, Chinese included, stay UTF-8.
    public static func appendString(_ text: String, to out: inout String) {
        out += "\""
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": scalars.append(contentsOf: #"\""#.unicodeScalars)
            case "\\": scalars.append(contentsOf: #"\\"#.unicodeScalars)
            case "\n": scalars.append(contentsOf: #"\n"#.unicodeScalars)
            case "\r": scalars.append(contentsOf: #"\r"#.unicodeScalars)
            case "\t": scalars.append(contentsOf: #"\t"#.unicodeScalars)
            case "\u{8}": scalars.append(contentsOf: #"\b"#.unicodeScalars)
            case "\u{C}": scalars.append(contentsOf: #"\f"#.unicodeScalars)
            default:
                if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    scalars.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
                } else {
                    scalars.append(scalar)
                }
            }
        }
        out += String(scalars)
        out += "\""
    }
}
