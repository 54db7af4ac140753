import DossierProtocol

/// `--json`: a text-format response turned into the one-line JSON object the
/// server writes in `FORMAT json` (`JSONResponseEncoder`'s shape), on the client,
/// so it works before login too (`FORMAT` needs one) and across `--all` pages.
public enum JSONConversion {
    /// The JSON line for a response's text lines; lines that are not response lines
    /// (a server this client does not know) are returned as they are.
    public static func convert(_ lines: [String]) -> [String] {
        guard let last = lines.last, ResponseCollector.isFinal(last), !last.hasPrefix("{") else { return lines }
        var rows: [Row] = []
        for line in lines.dropLast() {
            guard case .row(let row)? = try? ResponseLine.parse(line) else { return lines }
            rows.append(row)
        }
        switch try? ResponseLine.parse(last) {
        case .ok(let message)?:
            return [JSONResponseEncoder.encode(Response(rows: rows, final: .ok(message))).trimmingNewline]
        case .error(_, let codeText, let message)?:
            var out = #"{"ok":false,"code":"#
            JSONResponseEncoder.appendString(codeText, to: &out)
            out += #","message":"#
            JSONResponseEncoder.appendString(message, to: &out)
            return [out + "}"]
        default:
            return lines
        }
    }
}

extension String {
    var trimmingNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}
