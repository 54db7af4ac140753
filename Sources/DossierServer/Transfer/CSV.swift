import Foundation

/// Comma-separated values as Excel reads and writes them (RFC 4180): fields
/// in double quotes may hold commas, quotes (doubled) and line breaks; lines
/// end in CRLF or LF.
public enum CSV {
    /// The records of `text`, each a list of fields, with the 1-based line on
    /// which each record starts (for error messages). Blank lines are skipped.
    public static func parse(_ text: String) -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var quotedField = false
        var line = 1
        var recordLine = 1
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = scalars.next()

        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty && !quotedField) {
                records.append((recordLine, fields))
            }
            fields = []
            field = ""
            quotedField = false
        }

        while let scalar = pending {
            pending = scalars.next()
            if inQuotes {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = scalars.next()
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty:
                inQuotes = true
                quotedField = true
            case ",":
                fields.append(field)
                field = ""
            case "\r" where pending == "\n":
                continue
            case "\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !fields.isEmpty || quotedField { endRecord() }
        return records
    }

    /// One CSV document: a header line and the rows, CRLF line ends (as Excel writes).
    public static func write(header: [String], rows: [[String]]) -> String {
        var out = ""
        for record in [header] + rows {
            out += record.map(quote).joined(separator: ",")
            out += "\r\n"
        }
        return out
    }

    /// A field, quoted when it holds a comma, quote or line break, or starts
    /// with a character a spreadsheet would take for a formula.
    static func quote(_ field: String) -> String {
        var value = field
        // "=1+2" would be run as a formula by Excel: a leading quote keeps it text.
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }
}
