import Crypto
import DossierDomain

/// Keyed blind indexes for exact lookups of encrypted fields: HMAC-SHA256 under
/// a key derived from a master key, of the field's name and normalized value
/// (`SensitiveField.searchKey`). Equal values give equal indexes under one
/// master key, nothing else can be learned without it; substrings cannot be
/// found (a deliberate limit, README).
public enum BlindIndex {
    /// The index of `value` in `field` under `master`; nil for fields without one
    /// or an empty value.
    public static func compute(_ value: String, field: SensitiveField, master: MasterKey) -> [UInt8]? {
        guard field.isIndexed, let key = field.searchKey(value) else { return nil }
        return index(key, field: field, master: master)
    }

    /// The HMAC of a normalized `key`.
    static func index(_ key: String, field: SensitiveField, master: MasterKey) -> [UInt8] {
        let message = Array((field.name + "\u{0}" + key).utf8)
        return Array(HMAC<Crypto.SHA256>.authenticationCode(for: message, using: master.index))
    }

    /// The indexes a lookup of `needle` must try: under every key of the file
    /// (during a rotation rows are under the old and the new key), for each
    /// indexed field, and for a value indexed as typed in full width before
    /// full-width input was folded (`SensitiveField.fullWidthLegacyKey`).
    public static func candidates(_ needle: String, keyring: DataKeyring) -> [[UInt8]] {
        SensitiveField.allCases.filter(\.isIndexed).flatMap { field -> [[UInt8]] in
            guard let key = field.searchKey(needle) else { return [] }
            let keys = [key] + (field.fullWidthLegacyKey(key).map { [$0] } ?? [])
            return keyring.keys.flatMap { master in keys.map { index($0, field: field, master: master) } }
        }
    }
}
