import DossierDomain
import DossierPrivacy
import DossierProtocol
import Foundation
import Postgres

/// The daemon's side of personal data protection (README "Personal data
/// protection"): it holds the data key file and seals and opens customers'
/// sensitive fields (`SensitiveField`) inside a command's transaction.
///
/// A customer's data key is read through `customer_keys`, whose policy shows
/// it exactly to those who see the customer's details: the daemon can only
/// open what the caller's content visibility allows.
public struct PersonalData: Sendable {
    public let keyring: DataKeyring

    public init(keyring: DataKeyring) { self.keyring = keyring }

    /// A customer's data key, opened, with the master key it is wrapped under.
    struct CustomerKey {
        let dataKey: CustomerDataKey
        let master: MasterKey
        let number: String
    }

    /// One value ready for its columns: ciphertext, masked form, blind index.
    struct SealedValue {
        let sealed: [UInt8]
        let masked: String
        let index: [UInt8]?
    }

    /// A fresh data key for a new customer, wrapped under the current master key.
    func newKey(for number: String) throws -> (key: CustomerKey, wrapped: [UInt8]) {
        let dataKey = CustomerDataKey.generate()
        let master = keyring.current
        return (CustomerKey(dataKey: dataKey, master: master, number: number),
                try dataKey.wrapped(with: master, customer: number))
    }

    /// The data key of a customer whose details the caller sees; nil when they
    /// do not, or when it was destroyed (erasure). `lock`: for a write, so
    /// that a concurrent `keys rotate` waits (FOR SHARE; rotation takes FOR UPDATE).
    func key(customerID: Int64, lock: Bool, on connection: PostgresConnection) throws -> CustomerKey? {
        let row = try connection.query("""
            SELECT k.key_id, k.wrapped, c.number FROM customer_keys k JOIN customers c ON c.id = k.customer_id
             WHERE k.customer_id = $1::int8
            """ + (lock ? " FOR SHARE OF k" : ""), [customerID]).first
        guard let row else { return nil }
        return try open(keyID: try row.decode("key_id", as: String.self), wrapped: try row.decode("wrapped", as: [UInt8].self),
                        number: try row.decode("number", as: String.self))
    }

    /// The data key for a write: the customer's own, or (a customer from before
    /// 0070 not yet sealed, or whose key went with an erasure) a new one.
    func keyForWriting(customerID: Int64, on connection: PostgresConnection) throws -> CustomerKey {
        if let key = try key(customerID: customerID, lock: true, on: connection) { return key }
        let number = try connection.query("SELECT number FROM customers WHERE id = $1::int8", [customerID]).firstRow()
            .decode("number", as: String.self)
        let (key, wrapped) = try newKey(for: number)
        try connection.query("""
            INSERT INTO customer_keys (customer_id, key_id, wrapped) VALUES ($1::int8, $2::text, $3::bytea)
            """, [customerID, key.master.id, wrapped])
        return key
    }

    /// Opens a wrapped data key read with its customer's row.
    func open(keyID: String, wrapped: [UInt8], number: String) throws -> CustomerKey {
        do {
            guard let master = keyring.key(id: keyID) else { throw CustomerDataKey.Failure.unknownMasterKey(keyID) }
            return CustomerKey(dataKey: try CustomerDataKey.unwrap(wrapped, keyID: keyID, customer: number, keyring: keyring),
                               master: master, number: number)
        } catch let failure as CustomerDataKey.Failure {
            throw Self.unavailable(failure)
        }
    }

    func seal(_ value: String, _ field: SensitiveField, with key: CustomerKey) throws -> SealedValue {
        SealedValue(sealed: try key.dataKey.seal(value, field: field, customer: key.number), masked: field.mask(value),
                    index: BlindIndex.compute(value, field: field, master: key.master))
    }

    func open(_ sealed: [UInt8], _ field: SensitiveField, with key: CustomerKey) throws -> String {
        do { return try key.dataKey.open(sealed, field: field, customer: key.number) } catch let failure as CustomerDataKey.Failure {
            throw Self.unavailable(failure)
        }
    }

    /// A value for a text column (history, an approval's payload): sealed; empty stays empty.
    func sealText(_ value: String, _ field: SensitiveField, with key: CustomerKey) throws -> String {
        value.isEmpty ? "" : try key.dataKey.sealText(value, field: field, customer: key.number)
    }

    /// Replaces every `sealed:` token in `text` by its clear value; with no key
    /// (erased, or not visible) by `(erased)`.
    func reveal(_ text: String, with key: CustomerKey?) -> String {
        guard text.contains(SealedText.prefix) else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: SealedText.prefix) {
            out += rest[..<start.lowerBound]
            let tail = rest[start.lowerBound...]
            let end = tail.dropFirst(SealedText.prefix.count)
                .firstIndex { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" || $0 == "=")) }
                ?? tail.endIndex
            let token = String(tail[..<end])
            var opened: String?
            if let key, let bytes = SealedText.bytes(token) {
                opened = SensitiveField.allCases.lazy.compactMap { try? key.dataKey.open(bytes, field: $0, customer: key.number) }.first
            }
            out += opened ?? Self.erased
            rest = tail[end...]
        }
        return out + rest
    }

    /// A daemon without a data key file (a library use that configured none).
    static let noKeyFile = ProtocolError(.unavailable, "this daemon has no data key file: personal data cannot be sealed or opened")

    /// Shown for a sealed value whose customer's data key is gone.
    static let erased = "(erased)"

    /// The lookups an exact `CUSTOMER FIND` needle may match (blind indexes), as
    /// a comma-separated list of hex for `dossier.customer_detail_hits`.
    func blindIndexParameter(for needle: String) -> String {
        BlindIndex.candidates(needle, keyring: keyring).map { Hex.string($0) }.joined(separator: ",")
    }

    static func unavailable(_ failure: CustomerDataKey.Failure) -> ProtocolError {
        switch failure {
        case .unknownMasterKey(let id): ProtocolError(.unavailable, "data key \(id) is not in this daemon's data key file")
        case .unwrapFailed(let customer): ProtocolError(.unavailable, "the data key of \(customer) does not open with this daemon's data key file")
        case .openFailed(let what): ProtocolError(.unavailable, "\(what) does not open with its customer's data key")
        }
    }
}
