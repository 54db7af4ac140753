import DossierDomain

extension Command: CustomStringConvertible, CustomDebugStringConvertible {
    /// A one-line, log-safe rendering: the verb and its identifier-like arguments, e.g.
    /// `DOSSIER NEW customer=C-2026-00001 category=HT title=<text> level=secret`.
    ///
    /// Passwords show as `<secret>`, and every free-text value (names, titles,
    /// reasons, phones, search text) as `<text>`: logs are not purged when a dossier
    /// is destroyed, so customer personal data must never reach them.
    public var logSummary: String {
        var parts = [spec.name]
        if let payload = Mirror(reflecting: self).children.first {
            LogRenderer.append(payload.value, label: nil, to: &parts)
        }
        return parts.joined(separator: " ")
    }

    public var description: String { logSummary }
    public var debugDescription: String { logSummary }
}

extension HelpTopic: CustomStringConvertible {
    public var description: String {
        switch self {
        case .all: "all"
        case .group(let word): word
        case .verb(let verb): verb.spec.name
        }
    }
}

/// Walks a command payload with `Mirror`, so new commands are covered without code.
private enum LogRenderer {
    /// Swift property names whose wire key differs by more than snake_case.
    static let wireKeys = ["department": "dept", "quantity": "qty", "newPassword": "new_password", "user": "user"]

    static func append(_ value: Any, label: String?, to parts: inout [String]) {
        func emit(_ text: String) { parts.append(label.map { "\(wireKey($0))=\(text)" } ?? text) }
        switch value {
        case is Password:
            emit("<secret>")
        case is String, is Substring, is ResidentIDNumber:
            // An identity card number is personal data, like a phone.
            emit("<text>")
        case let flag as Bool:
            emit(flag ? "yes" : "no")
        case let period as LoanPeriod:
            parts.append(period.description)
        case let changes as [any FieldChange]:
            emit(changes.map(\.field).joined(separator: ","))
        case let printable as any CustomStringConvertible where !(Mirror(reflecting: value).displayStyle == .optional):
            emit(printable.description)
        default:
            let mirror = Mirror(reflecting: value)
            switch mirror.displayStyle {
            case .optional:
                if let wrapped = mirror.children.first { append(wrapped.value, label: label, to: &parts) }
            case .struct, .tuple:
                for child in mirror.children {
                    append(child.value, label: child.label.flatMap { $0.hasPrefix(".") ? nil : $0 }, to: &parts)
                }
            default:
                emit("<value>")
            }
        }
    }

    static func wireKey(_ label: String) -> String {
        if let mapped = wireKeys[label] { return mapped }
        var key = ""
        for character in label {
            if character.isUppercase {
                key += "_" + character.lowercased()
            } else {
                key.append(character)
            }
        }
        return key
    }
}
