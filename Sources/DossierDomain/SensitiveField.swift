/// A customer field kept only encrypted (README "Personal data protection"):
/// the daemon seals it, the database holds ciphertext, a masked form for
/// reports and, for exact lookups, a keyed blind index.
///
/// Chosen: what identifies or reaches a natural person directly and is not in
/// a public register — the identity card number, phone, e-mail, address and
/// bank account. Not chosen: the name (the directory entry is company-wide by
/// RULES.md and found by substring), the contact person and legal
/// representative (names found by substring; a company's legal representative
/// is public in the enterprise credit register) and the credit code (public).
public enum SensitiveField: String, CaseIterable, Sendable {
    case idNumber = "id_number"
    case phone
    case email
    case address
    case bankAccount = "bank_account"

    /// The wire and column name stem (`phone` → `phone_sealed`, `phone_masked`).
    public var name: String { rawValue }

    public init?(name: String) { self.init(rawValue: name) }

    /// Whether an exact lookup (`CUSTOMER FIND`) uses this field's blind index.
    public var isIndexed: Bool { self == .idNumber || self == .phone }

    /// The form reports and BI logins see, e.g. `138****0000`.
    public func mask(_ value: String) -> String { PersonalDataMask.mask(value, as: self) }

    /// The normalized text a blind index is computed over, so that `138 0000 0000`
    /// and `138-0000-0000` find the same customer; nil for fields without one.
    /// Full-width ASCII typed in an input method's full-width mode counts as
    /// its ASCII (`１３８－００００－００００` is `13800000000`): the values
    /// themselves are kept as typed.
    public func searchKey(_ value: String) -> String? {
        switch self {
        case .phone:
            let kept = FullWidthASCII.folded(value).filter { !" -()\u{3000}".contains($0) }
            return kept.isEmpty ? nil : kept
        case .idNumber:
            let trimmed = FullWidthASCII.folded(value).trimmingSpaces().uppercased()
            return trimmed.isEmpty ? nil : trimmed
        case .email, .address, .bankAccount:
            return nil
        }
    }

    /// The key an index written before full-width input was folded holds for a
    /// value typed all in full width (`１３８００００００００` was indexed as
    /// typed): the full-width form of `key`, which a lookup tries beside it;
    /// nil when it is the same. Such a value is found by its ASCII or its
    /// full-width needle alike, without re-indexing the directory.
    public func fullWidthLegacyKey(_ key: String) -> String? {
        let wide = FullWidthASCII.widened(key)
        return wide == key ? nil : wide
    }
}

/// Masked forms of personal data: enough to recognize a value one already
/// knows, not enough to learn it. Of the value with full-width ASCII read as
/// ASCII (`１３８…` masks as `138****…`, and `＠` is an e-mail's `@`), as reports
/// compare them.
public enum PersonalDataMask {
    public static func mask(_ value: String, as field: SensitiveField) -> String {
        let characters = Array(FullWidthASCII.folded(value).trimmingSpaces())
        switch field {
        case .phone:
            return keep(characters, first: characters.count >= 11 ? 3 : characters.count >= 7 ? 2 : 0,
                        last: characters.count >= 11 ? 4 : characters.count >= 7 ? 2 : 0, stars: 4)
        case .idNumber:
            return keep(characters, first: characters.count >= 15 ? 3 : 0, last: characters.count >= 15 ? 4 : 0,
                        stars: max(4, characters.count - 7))
        case .bankAccount:
            return keep(characters, first: 0, last: characters.count >= 8 ? 4 : 0, stars: 4)
        case .email:
            guard let at = characters.lastIndex(of: "@"), at > 0 else { return "****" }
            return String(characters[0]) + "***" + String(characters[at...])
        case .address:
            return keep(characters, first: characters.count > 8 ? 6 : 0, last: 0, stars: 4)
        }
    }

    private static func keep(_ characters: [Character], first: Int, last: Int, stars: Int) -> String {
        guard first + last < characters.count else { return String(repeating: "*", count: stars) }
        return String(characters.prefix(first)) + String(repeating: "*", count: stars) + String(characters.suffix(last))
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
