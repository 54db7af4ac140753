import DossierProtocol

/// Following `next=` cursors (`--all`, `\all`): a listing that ends `OK <n>
/// next=<cursor>` is asked again with `after=<cursor>` until a page comes without
/// one, and the pages are shown as one table ending `OK <total>`.
public enum CursorFollowing {
    /// The cursor in a final line such as `OK 50 next=c2NhbjE`; nil for the last page.
    public static func nextCursor(_ finalLine: String) -> String? {
        guard finalLine.hasPrefix("OK ") else { return nil }
        for word in finalLine.split(separator: " ").dropFirst() where word.hasPrefix("next=") {
            let cursor = String(word.dropFirst("next=".count))
            return Cursor(cursor) == nil ? nil : cursor
        }
        return nil
    }

    /// `line` with `after=<cursor>` (replacing an `after=` it has); nil when the
    /// line does not tokenize.
    public static func nextRequest(_ line: String, cursor: String) -> String? {
        guard let request = try? RequestLine.parse(line) else { return nil }
        var words: [String] = []
        for token in request.tokens {
            switch token {
            case .positional(let text): words.append(TextResponseEncoder.quote(text))
            case .keyValue(let key, let value):
                if key != "after" { words.append(key + "=" + TextResponseEncoder.quote(value)) }
            }
        }
        words.append("after=" + cursor)
        return words.joined(separator: " ")
    }

    /// The data lines of every page, then `OK <total>`.
    public static func merge(_ pages: [[String]]) -> [String] {
        var data: [String] = []
        for page in pages { data += page.dropLast() }
        return data + ["OK \(data.count)"]
    }
}
