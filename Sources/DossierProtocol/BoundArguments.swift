import DossierDomain

/// A verb's arguments after checking them against its `CommandSpec`: nothing unknown,
/// duplicated or missing, and every value decoded to its kind. Builders read typed
/// values from here by name.
struct BoundArguments {
    let spec: CommandSpec
    private(set) var values: [String: ArgumentValue] = [:]
    /// `field=value` changes in line order; nil clears the field.
    private(set) var changes: [(field: String, value: ArgumentValue?)] = []

    /// Checks and decodes `tokens` (everything after the verb words).
    ///
    /// Errors come in a fixed order so the most useful one wins: unknown or duplicate
    /// keys and extra positionals first (a typo'd key would otherwise show up as
    /// "missing"), then missing arguments, then invalid values in line order.
    init(spec: CommandSpec, tokens: ArraySlice<Token>) throws(ProtocolError) {
        self.spec = spec
        var positionals: [String] = []
        var keyed: [(key: String, value: String)] = []
        var seen: Set<String> = []
        for token in tokens {
            switch token {
            case .positional(let text):
                positionals.append(text)
            case .keyValue(let key, let value):
                guard spec.key(key) != nil || spec.changeField(key) != nil else { throw .unknownArgument(key) }
                guard seen.insert(key).inserted else { throw .args("duplicate argument: \(key)") }
                keyed.append((key, value))
            }
        }
        if positionals.count > spec.positionals.count {
            // Never echo the extra text: it may be part of a password.
            throw .args("too many arguments; usage: \(spec.usage)")
        }
        for (index, positional) in spec.positionals.enumerated() where index >= positionals.count && !positional.isOptional {
            throw .missing(positional.name)
        }
        for key in spec.keys where key.isRequired && !seen.contains(key.key) {
            throw .missing(key.key)
        }
        for group in spec.exclusive {
            let present = group.keys.filter(seen.contains)
            if present.count > 1 {
                throw .args("conflicting arguments: \(present.joined(separator: ", ")) (give only one)")
            }
            if group.isRequired && present.isEmpty {
                throw .missing(group.keys.joined(separator: " or "))
            }
        }
        if !spec.changeFields.isEmpty && !keyed.contains(where: { spec.changeField($0.key) != nil }) {
            throw .missing("<field>=<value> (one of: \(spec.changeFields.map(\.field).joined(separator: ", ")))")
        }

        for (index, raw) in positionals.enumerated() {
            let positional = spec.positionals[index]
            values[positional.name] = try Self.decode(raw, kind: positional.kind, name: positional.name)
        }
        for (key, raw) in keyed {
            if let keySpec = spec.key(key) {
                // Optional free text given empty (`note=""`) is the same as leaving it out.
                if raw.isEmpty && !keySpec.isRequired && keySpec.kind.isText { continue }
                values[key] = try Self.decode(raw, kind: keySpec.kind, name: key)
            } else if let field = spec.changeField(key) {
                if raw.isEmpty && field.isClearable {
                    changes.append((key, nil))
                } else {
                    changes.append((key, try Self.decode(raw, kind: field.kind, name: key)))
                }
            }
        }
    }

    private static func decode(_ raw: String, kind: ValueKind, name: String) throws(ProtocolError) -> ArgumentValue {
        guard let value = kind.decode(raw) else { throw .invalid(name, kind.expectation) }
        return value
    }

    // MARK: Typed access for builders

    /// The value of `name`, or nil if absent. A value of the wrong kind is a table bug.
    func optional<T>(_ name: String, _ extract: (ArgumentValue) -> T?) throws(ProtocolError) -> T? {
        guard let value = values[name] else { return nil }
        guard let typed = extract(value) else { throw Self.tableMismatch(name) }
        return typed
    }

    func required<T>(_ name: String, _ extract: (ArgumentValue) -> T?) throws(ProtocolError) -> T {
        guard let typed = try optional(name, extract) else { throw .missing(name) }
        return typed
    }

    func optional<E: WireEnum>(_ name: String, as type: E.Type) throws(ProtocolError) -> E? {
        guard let raw = try optional(name, \.choice) else { return nil }
        guard let value = E(rawValue: raw) else { throw Self.tableMismatch(name) }
        return value
    }

    func required<E: WireEnum>(_ name: String, as type: E.Type) throws(ProtocolError) -> E {
        guard let value = try optional(name, as: type) else { throw .missing(name) }
        return value
    }

    static func tableMismatch(_ name: String) -> ProtocolError {
        ProtocolError(.internal, "command table and parser disagree about \(name)")
    }
}
