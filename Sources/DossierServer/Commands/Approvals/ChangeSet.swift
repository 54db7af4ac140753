import DossierProtocol

/// The fields a request wants changed, kept in the approval's payload as
/// `{"changes": {"field": "wire value", …}}` until the last approval applies them.
enum ChangeSet {
    static func payload(_ changes: [some FieldChange]) -> String {
        // The closure does not throw.
        (try? payload(changes) { $0.wireValue }) ?? "{}"
    }

    /// `value` gives each change's stored value (a sensitive field's sealed text).
    static func payload<C: FieldChange>(_ changes: [C], value: (C) throws -> String) throws -> String {
        var json = "{\"changes\":{"
        for (index, change) in changes.enumerated() {
            if index > 0 { json += "," }
            JSONResponseEncoder.appendString(change.field, to: &json)
            json += ":"
            JSONResponseEncoder.appendString(try value(change), to: &json)
        }
        return json + "}}"
    }
}
