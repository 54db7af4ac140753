import DossierProtocol

/// The fields a request wants changed, kept in the approval's payload as
/// `{"changes": {"field": "wire value", …}}` until the last approval applies them.
enum ChangeSet {
    static func payload(_ changes: [some FieldChange]) -> String {
        var json = "{\"changes\":{"
        for (index, change) in changes.enumerated() {
            if index > 0 { json += "," }
            JSONResponseEncoder.appendString(change.field, to: &json)
            json += ":"
            JSONResponseEncoder.appendString(change.wireValue, to: &json)
        }
        return json + "}}"
    }
}
