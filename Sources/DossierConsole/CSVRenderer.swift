import DossierProtocol

/// Data lines as CSV (RFC 4180): a header of the keys (their union, in first-seen
/// order), then one line per row; a field with a comma, quote or line break is
/// quoted, quotes doubled. For `--csv`, so a listing goes straight into a spreadsheet.
public enum CSVRenderer {
    public static func render(_ rows: [Row]) -> [String] {
        guard !rows.isEmpty else { return [] }
        let keys = TableRenderer.columns(of: rows)
        var lines = [keys.map(field).joined(separator: ",")]
        for row in rows { lines.append(keys.map { field(row[$0] ?? "") }.joined(separator: ",")) }
        return lines
    }

    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        var quoted = "\""
        for character in value {
            if character == "\"" { quoted += "\"" }
            quoted.append(character)
        }
        return quoted + "\""
    }
}
