/// One field of a data line.
public struct Field: Hashable, Sendable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        assert(Key.isValid(key), "invalid field key: \(key)")
        self.key = key
        self.value = value
    }
}

/// One data line (`* key=value …`): fields in the order given, which both encoders keep.
public struct Row: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    public var fields: [Field]

    public init(_ fields: [Field] = []) { self.fields = fields }

    /// `Row(["ref": "D17", "title": "…"])` keeps the literal's order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { Field($0.0, $0.1) }
    }

    public mutating func append(_ key: String, _ value: String) { fields.append(Field(key, value)) }

    /// Appends `value`'s wire form (`description`), or `""` for nil — the protocol shows
    /// absent values as empty, e.g. `number=""` for a draft.
    public mutating func append(_ key: String, _ value: (some CustomStringConvertible)?) {
        fields.append(Field(key, value.map(\.description) ?? ""))
    }

    /// `yes`/`no`, as the protocol writes booleans.
    public mutating func append(_ key: String, _ flag: Bool) { fields.append(Field(key, flag ? "yes" : "no")) }

    /// The first value for `key`.
    public subscript(key: String) -> String? { fields.first { $0.key == key }?.value }
}
