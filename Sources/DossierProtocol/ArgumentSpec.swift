/// A positional argument of a verb, e.g. `<ref>` of `DOSSIER SHOW`.
public struct PositionalSpec: Hashable, Sendable {
    /// The name error messages use: `ARGS missing argument: <name>`.
    public let name: String
    public let kind: ValueKind
    public let isOptional: Bool
    /// How usage shows it; defaults to `<name>` or the kind's alternatives.
    public let placeholder: String

    public init(_ name: String, _ kind: ValueKind, optional: Bool = false, placeholder: String? = nil) {
        self.name = name
        self.kind = kind
        self.isOptional = optional
        if let placeholder {
            self.placeholder = placeholder
        } else if case .choice = kind {
            self.placeholder = kind.placeholder
        } else {
            self.placeholder = "<\(name)>"
        }
    }
}

/// A `key=value` argument of a verb.
public struct KeySpec: Hashable, Sendable {
    public let key: String
    public let kind: ValueKind
    public let isRequired: Bool

    public init(_ key: String, _ kind: ValueKind, required: Bool = false) {
        precondition(Key.isValid(key), "invalid key in command table: \(key)")
        self.key = key
        self.kind = kind
        self.isRequired = required
    }
}

/// Keys of which at most one may be given (`days=` or `hours=`); with `isRequired`,
/// exactly one. Each key also appears, optional, in the verb's `keys`.
public struct ExclusiveKeys: Hashable, Sendable {
    public let keys: [String]
    public let isRequired: Bool

    public init(_ keys: [String], required: Bool) {
        self.keys = keys
        self.isRequired = required
    }
}

/// A field that `CUSTOMER SET` / `DOSSIER EDIT` may change, given as `field=value`.
public struct ChangeFieldSpec: Hashable, Sendable {
    public let field: String
    public let kind: ValueKind
    /// Whether `field=""` clears it.
    public let isClearable: Bool

    public init(_ field: String, _ kind: ValueKind, clearable: Bool) {
        precondition(Key.isValid(field), "invalid field in command table: \(field)")
        self.field = field
        self.kind = kind
        self.isClearable = clearable
    }
}
