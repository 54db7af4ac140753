import Crypto
import DossierDomain
import Foundation

/// A customer's own data key (envelope encryption): 256 random bits that seal
/// that customer's sensitive fields, stored only wrapped (AES-GCM) under a
/// master key, with the master key's id beside it (`customer_keys`). Rotating a
/// master key re-wraps data keys; deleting a customer's wrapped key
/// (destruction) makes everything sealed with it unreadable: crypto-shredding.
public struct CustomerDataKey: Sendable {
    private let bytes: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: bytes) }

    init(key: SymmetricKey) { bytes = key.withUnsafeBytes { Array($0) } }

    public enum Failure: Error, CustomStringConvertible {
        case unknownMasterKey(String)
        case unwrapFailed(String)
        case openFailed(String)

        public var description: String {
            switch self {
            case .unknownMasterKey(let id): "data key \(id) is not in this daemon's data key file"
            case .unwrapFailed(let customer): "the data key of \(customer) does not open with the data key file"
            case .openFailed(let what): "\(what) does not open with its customer's data key"
            }
        }
    }

    /// A fresh random data key.
    public static func generate() -> CustomerDataKey { CustomerDataKey(key: SymmetricKey(size: .bits256)) }

    /// The wrapped form, bound to the customer's number (so a wrapped key copied
    /// onto another customer does not open).
    public func wrapped(with master: MasterKey, customer: String) throws -> [UInt8] {
        let plain = key.withUnsafeBytes { Array($0) }
        return try Sealing.seal(plain, key: master.wrapping, context: "customer-key|" + customer)
    }

    public static func unwrap(_ wrapped: [UInt8], keyID: String, customer: String, keyring: DataKeyring) throws
        -> CustomerDataKey {
        guard let master = keyring.key(id: keyID) else { throw Failure.unknownMasterKey(keyID) }
        guard let plain = Sealing.open(wrapped, key: master.wrapping, context: "customer-key|" + customer),
              plain.count == 32
        else { throw Failure.unwrapFailed(customer) }
        return CustomerDataKey(key: SymmetricKey(data: plain))
    }

    /// A field's ciphertext, bound to the customer and the field.
    public func seal(_ value: String, field: SensitiveField, customer: String) throws -> [UInt8] {
        try Sealing.seal(Array(value.utf8), key: key, context: customer + "|" + field.name)
    }

    public func open(_ sealed: [UInt8], field: SensitiveField, customer: String) throws -> String {
        guard let plain = Sealing.open(sealed, key: key, context: customer + "|" + field.name),
              let text = String(bytes: plain, encoding: .utf8)
        else { throw Failure.openFailed("\(customer) \(field.name)") }
        return text
    }

    /// The text form kept where a column is text (change history, an approval's
    /// payload): `sealed:` and base64.
    public func sealText(_ value: String, field: SensitiveField, customer: String) throws -> String {
        SealedText.prefix + Data(try seal(value, field: field, customer: customer)).base64EncodedString()
    }

    /// Opens a `sealed:` text; any other text is returned as it is.
    public func openText(_ text: String, field: SensitiveField, customer: String) throws -> String {
        guard let sealed = SealedText.bytes(text) else { return text }
        return try open(sealed, field: field, customer: customer)
    }
}

/// `sealed:<base64>`: a field sealed into a text column.
public enum SealedText {
    public static let prefix = "sealed:"

    public static func bytes(_ text: String) -> [UInt8]? {
        guard text.hasPrefix(prefix), let data = Data(base64Encoded: String(text.dropFirst(prefix.count))) else { return nil }
        return Array(data)
    }
}

/// AES-256-GCM with a version byte, a random 96-bit nonce and the context as
/// associated data: `01 ‖ nonce ‖ ciphertext ‖ tag`.
enum Sealing {
    static let version: UInt8 = 1

    static func seal(_ plain: [UInt8], key: SymmetricKey, context: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(plain, using: key, nonce: AES.GCM.Nonce(), authenticating: Array(context.utf8))
        guard let combined = box.combined else { throw CustomerDataKey.Failure.openFailed("sealing") }
        return [version] + Array(combined)
    }

    static func open(_ sealed: [UInt8], key: SymmetricKey, context: String) -> [UInt8]? {
        guard sealed.first == version, sealed.count >= 1 + 12 + 16,
              let box = try? AES.GCM.SealedBox(combined: sealed.dropFirst()),
              let plain = try? AES.GCM.open(box, using: key, authenticating: Array(context.utf8))
        else { return nil }
        return Array(plain)
    }
}
