import DossierProtocol

/// Lays out the data lines of one response as an aligned table: the keys as column
/// headers, a rule, then one line per row, columns padded by display width so
/// Chinese values line up.
///
/// Rows of one response usually share their keys. When they do not (`APPROVAL SHOW`:
/// the approval, then its changed fields, then its steps), each run of rows with the
/// same keys is its own table, the tables in the rows' order and a blank line apart:
/// one table over the union of the keys left most cells blank and read as nonsense.
///
/// A table wider than `maximumWidth` (e.g. `DOSSIER SHOW`, 14 fields, or `LOAN LIST`)
/// is shown in the expanded layout instead (psql's `\x`): one `key  value` line
/// per field, and for several rows a `-[ RECORD n ]-` line before each, because a
/// table that wraps in the terminal cannot be read. `expanded` forces either layout.
public struct TableRenderer: Sendable {
    /// Between two columns.
    public var columnSeparator = "  "
    /// The terminal width, if known; nil never switches to the expanded layout by itself.
    public var maximumWidth: Int?
    /// When to use the expanded layout.
    public var expanded: ExpandedMode

    public init(maximumWidth: Int? = nil, expanded: ExpandedMode = .auto) {
        self.maximumWidth = maximumWidth
        self.expanded = expanded
    }

    /// The lines to print, without newlines; empty for no rows.
    public func render(_ rows: [Row]) -> [String] {
        var lines: [String] = []
        for group in Self.runsOfSameKeys(rows) {
            if !lines.isEmpty { lines.append("") }
            lines += renderTable(group)
        }
        return lines
    }

    /// Consecutive rows with the same keys in the same order, each run once.
    static func runsOfSameKeys(_ rows: [Row]) -> [[Row]] {
        var runs: [[Row]] = []
        var runKeys: [String] = []
        for row in rows {
            let keys = row.fields.map(\.key)
            if runs.isEmpty || keys != runKeys {
                runs.append([row])
                runKeys = keys
            } else {
                runs[runs.count - 1].append(row)
            }
        }
        return runs
    }

    /// One table (or the expanded layout) of rows that share their keys.
    private func renderTable(_ rows: [Row]) -> [String] {
        guard !rows.isEmpty else { return [] }
        let keys = Self.columns(of: rows)
        let cells = rows.map { row in keys.map { key in row[key].map(Self.cellText) ?? "" } }
        var widths = keys.map { DisplayWidth.of($0) }
        for line in cells {
            for (column, cell) in line.enumerated() { widths[column] = max(widths[column], DisplayWidth.of(cell)) }
        }
        let tableWidth = widths.reduce(0, +) + columnSeparator.count * (widths.count - 1)
        let tooWide = maximumWidth.map { tableWidth > $0 } ?? false
        if expanded == .on || (expanded == .auto && tooWide) {
            if rows.count == 1 { return record(keys: keys, values: cells[0]) }
            return expandedRecords(keys: keys, cells: cells)
        }
        var lines = [line(keys, widths), line(widths.map { String(repeating: "-", count: $0) }, widths)]
        for row in cells { lines.append(line(row, widths)) }
        return lines
    }

    /// One line per field, keys padded to the longest key.
    func record(keys: [String], values: [String]) -> [String] {
        let keyWidth = keys.map { DisplayWidth.of($0) }.max() ?? 0
        return zip(keys, values).map { key, value in
            value.isEmpty ? key : DisplayWidth.pad(key, to: keyWidth) + columnSeparator + value
        }
    }

    /// Every row as a record under a `-[ RECORD n ]-` line, as psql's expanded
    /// mode; a row's missing fields are left out.
    func expandedRecords(keys: [String], cells: [[String]]) -> [String] {
        let keyWidth = keys.map { DisplayWidth.of($0) }.max() ?? 0
        let valueWidth = cells.flatMap { $0 }.map { DisplayWidth.of($0) }.max() ?? 0
        var lines: [String] = []
        for (index, values) in cells.enumerated() {
            let title = "-[ RECORD \(index + 1) ]"
            var ruleWidth = keyWidth + columnSeparator.count + valueWidth
            if let maximumWidth { ruleWidth = min(ruleWidth, maximumWidth) }
            lines.append(title + String(repeating: "-", count: max(ruleWidth - title.count, 1)))
            for (key, value) in zip(keys, values) where !value.isEmpty {
                lines.append(DisplayWidth.pad(key, to: keyWidth) + columnSeparator + value)
            }
        }
        return lines
    }

    /// Cells padded to their column's width; the last one is not padded, so lines
    /// carry no trailing spaces.
    func line(_ cells: [String], _ widths: [Int]) -> String {
        var out = ""
        for (column, cell) in cells.enumerated() {
            if column > 0 { out += columnSeparator }
            out += column == cells.count - 1 ? cell : DisplayWidth.pad(cell, to: widths[column])
        }
        while out.hasSuffix(" ") { out.removeLast() }
        return out
    }

    /// Every key of `rows`, in first-seen order, each once.
    static func columns(of rows: [Row]) -> [String] {
        var seen = Set<String>()
        var keys: [String] = []
        for row in rows {
            for field in row.fields where seen.insert(field.key).inserted { keys.append(field.key) }
        }
        return keys
    }

    /// A value as shown in a cell: unquoted, but with control characters written as
    /// escapes (`\n`, `\t`, `\u{1B}`), because a raw newline or escape sequence
    /// would break the table (or the terminal).
    public static func cellText(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: \.isControlCharacter) else { return value }
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
            case "\t": out.append(contentsOf: #"\t"#.unicodeScalars)
            case "\r": out.append(contentsOf: #"\r"#.unicodeScalars)
            default:
                if scalar.isControlCharacter {
                    out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
                } else {
                    out.append(scalar)
                }
            }
        }
        return String(out)
    }
}
