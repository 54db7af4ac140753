import DossierDomain
import DossierPrivacy
import Foundation
import Postgres

/// What the daemon does with the data key file outside of commands: checks it
/// against the database at start, seals clear text left from before 0070, and
/// re-wraps data keys under the current master key (`dossierd keys rotate`).
/// Each batch is one short transaction as the system actor, so commands run
/// meanwhile; a stopped run is resumed by running it again.
public enum DataKeyMaintenance {
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// Registers the file's keys (id and check MAC) and refuses a file that
    /// gives a known id another key, or lacks a key some customer's data key is
    /// wrapped with (a restore without the backup's key file).
    public static func verify(_ keyring: DataKeyring, on connection: PostgresConnection) throws {
        for key in keyring.keys {
            let matches = try connection.query("SELECT dossier.register_data_key($1::text, $2::bytea) AS ok", [key.id, key.check])
                .firstRow().decode("ok", as: Bool.self)
            guard matches else {
                throw Refusal(description: "data key \(key.id) of the data key file is not the key this database knows by that id")
            }
        }
        let missing = try connection.query("SELECT key_id, customers FROM dossier.data_keys_in_use()").rows
            .map { (try $0.decode("key_id", as: String.self), try $0.decode("customers", as: Int64.self)) }
            .filter { keyring.key(id: $0.0) == nil }
        if let (id, count) = missing.first {
            throw Refusal(description: "\(count) customers' data keys are wrapped with key \(id), which the data key file lacks "
                + "(give the key file that belongs to this database or its backup)")
        }
    }

    /// Seals the clear text of customers from before 0070 (legacy_* columns)
    /// and gives every customer without one a data key. Returns how many
    /// customers it changed. Set-based: per batch one statement per table.
    /// Batches in customer order (`customerBatches`). Whether there is any
    /// work is asked first (`data_key_work_pending`, 0141): this runs at every
    /// start, and the batch statement finds nothing only after reading the whole
    /// directory through its policies (7.3 s at 1,000,000 customers, against
    /// 0.57 s for the question alone).
    @discardableResult
    public static func encryptExisting(_ personalData: PersonalData, batch: Int = 500, on connection: PostgresConnection) throws -> Int {
        guard try connection.query("SELECT dossier.data_key_work_pending() AS pending").firstRow()
            .decode("pending", as: Bool.self) else { return 0 }
        return try customerBatches("encrypt-existing", batch: batch, on: connection) { connection, after in
            // Daemons starting together take turns: each batch reads what the
            // previous one left (a customer must get one data key, not two).
            try connection.query("SELECT pg_advisory_xact_lock($1::int8)", [Self.encryptExistingLock])
            let rows = try connection.query("""
                SELECT d.customer_id, c.number, d.legacy_phone, d.legacy_email, d.legacy_address, k.key_id, k.wrapped
                  FROM customer_details d JOIN customers c ON c.id = d.customer_id AND c.id > $2::int8
                  LEFT JOIN customer_keys k ON k.customer_id = d.customer_id AND k.customer_id > $2::int8
                 WHERE d.customer_id > $2::int8
                   AND (d.legacy_phone IS NOT NULL OR d.legacy_email IS NOT NULL OR d.legacy_address IS NOT NULL
                        OR (c.purged_at IS NULL AND k.customer_id IS NULL))
                 ORDER BY d.customer_id LIMIT $1::int4
                 FOR UPDATE OF d
                """, [batch, after]).rows
            var sealed: [SealedRow] = []
            var newKeys: [NewKey] = []
            for row in rows {
                let id = try row.decode("customer_id", as: Int64.self)
                let number = try row.decode("number", as: String.self)
                let key: PersonalData.CustomerKey
                if let keyID = try row.decodeIfPresent("key_id", as: String.self),
                   let wrapped = try row.decodeIfPresent("wrapped", as: [UInt8].self) {
                    key = try personalData.open(keyID: keyID, wrapped: wrapped, number: number)
                } else {
                    let (made, wrapped) = try personalData.newKey(for: number)
                    key = made
                    newKeys.append(NewKey(id: id, keyID: made.master.id, wrapped: Hex.string(wrapped)))
                }
                func seal(_ column: String, _ field: SensitiveField) throws -> PersonalData.SealedValue? {
                    guard let value = try row.decodeIfPresent(column, as: String.self), !value.isEmpty else { return nil }
                    return try personalData.seal(value, field, with: key)
                }
                sealed.append(SealedRow(id: id, phone: try seal("legacy_phone", .phone), email: try seal("legacy_email", .email),
                                        address: try seal("legacy_address", .address)))
            }
            // The key rows first (FOR SHARE in commands, FOR UPDATE in rotation: none exist for these yet).
            try connection.query("""
                INSERT INTO customer_keys (customer_id, key_id, wrapped)
                SELECT r.id, r.key_id, decode(r.wrapped, 'hex') FROM jsonb_to_recordset($1::jsonb) AS r(id int8, key_id text, wrapped text)
                """, [try json(newKeys)])
            // Only what was clear text is written; a row already sealed keeps its values.
            try connection.query("""
                UPDATE customer_details d SET
                    phone_sealed = coalesce(decode(r.phone_sealed, 'hex'), d.phone_sealed),
                    phone_masked = coalesce(r.phone_masked, d.phone_masked),
                    phone_index = coalesce(decode(r.phone_index, 'hex'), d.phone_index),
                    email_sealed = coalesce(decode(r.email_sealed, 'hex'), d.email_sealed),
                    email_masked = coalesce(r.email_masked, d.email_masked),
                    address_sealed = coalesce(decode(r.address_sealed, 'hex'), d.address_sealed),
                    address_masked = coalesce(r.address_masked, d.address_masked),
                    legacy_phone = NULL, legacy_email = NULL, legacy_address = NULL
                  FROM jsonb_to_recordset($1::jsonb) AS r(id int8, phone_sealed text, phone_masked text, phone_index text,
                                                        email_sealed text, email_masked text, address_sealed text, address_masked text)
                 WHERE d.customer_id = r.id
                """, [try json(sealed)])
            return (rows.count, sealed.last?.id)
        }
    }

    /// Arbitrary, fixed: the advisory lock of "sealing old clear text".
    static let encryptExistingLock: Int64 = 0x646f_7373_6b65_7973  // "dosskeys"

    /// One customer's sealed clear text, as `encryptExisting`'s UPDATE reads it.
    private struct SealedRow: Encodable {
        let id: Int64
        let phoneSealed: String?, phoneMasked: String?, phoneIndex: String?
        let emailSealed: String?, emailMasked: String?
        let addressSealed: String?, addressMasked: String?

        init(id: Int64, phone: PersonalData.SealedValue?, email: PersonalData.SealedValue?, address: PersonalData.SealedValue?) {
            self.id = id
            phoneSealed = phone.map { Hex.string($0.sealed) }
            phoneMasked = phone?.masked
            phoneIndex = phone?.index.map { Hex.string($0) }
            emailSealed = email.map { Hex.string($0.sealed) }
            emailMasked = email?.masked
            addressSealed = address.map { Hex.string($0.sealed) }
            addressMasked = address?.masked
        }
    }

    private struct NewKey: Encodable {
        let id: Int64
        let keyID: String
        let wrapped: String
    }

    /// A moved customer, as `rotate`'s UPDATEs read it.
    private struct Rewrapped: Encodable {
        let id: Int64
        let wrapped: String
        let phoneIndex: String?
        let idNumberIndex: String?
    }

    private static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `dossierd keys rotate`: every customer whose data key is wrapped under
    /// another master key is moved to the file's current one — the data key
    /// re-wrapped, the blind indexes recomputed under the new key — `batch`
    /// customers per transaction. `progress` hears the running total after each
    /// batch; `maxBatches` stops early (run again to go on: the work left is
    /// whatever is not under the current key).
    @discardableResult
    public static func rotate(
        _ personalData: PersonalData, batch: Int = 200, maxBatches: Int? = nil, on connection: PostgresConnection,
        progress: (Int) -> Void = { _ in }
    ) throws -> Int {
        let current = personalData.keyring.current
        return try customerBatches("keys-rotate", batch: batch, maxBatches: maxBatches, on: connection,
                                   progress: progress) { connection, after in
            // Locked FOR UPDATE: a command writing a sealed field holds the
            // key FOR SHARE (PersonalData.key(lock:)), so the two take turns.
            let rows = try connection.query("""
                SELECT k.customer_id, k.key_id, k.wrapped, c.number, d.phone_sealed, d.id_number_sealed
                  FROM customer_keys k
                  JOIN customers c ON c.id = k.customer_id AND c.id > $3::int8
                  LEFT JOIN customer_details d ON d.customer_id = k.customer_id AND d.customer_id > $3::int8
                 WHERE k.key_id <> $1::text AND k.customer_id > $3::int8
                 ORDER BY k.customer_id LIMIT $2::int4
                 FOR UPDATE OF k
                """, [current.id, batch, after]).rows
            var moved: [Rewrapped] = []
            for row in rows {
                let number = try row.decode("number", as: String.self)
                let old = try personalData.open(keyID: try row.decode("key_id", as: String.self),
                                                wrapped: try row.decode("wrapped", as: [UInt8].self), number: number)
                func index(_ column: String, _ field: SensitiveField) throws -> String? {
                    guard let sealed = try row.decodeIfPresent(column, as: [UInt8].self) else { return nil }
                    return BlindIndex.compute(try personalData.open(sealed, field, with: old), field: field, master: current)
                        .map { Hex.string($0) }
                }
                moved.append(Rewrapped(
                    id: try row.decode("customer_id", as: Int64.self),
                    wrapped: Hex.string(try old.dataKey.wrapped(with: current, customer: number)),
                    phoneIndex: try index("phone_sealed", .phone), idNumberIndex: try index("id_number_sealed", .idNumber)))
            }
            let payload = try json(moved)
            try connection.query("""
                UPDATE customer_keys k SET key_id = $2::text, wrapped = decode(r.wrapped, 'hex'), rewrapped_at = now()
                  FROM jsonb_to_recordset($1::jsonb) AS r(id int8, wrapped text)
                 WHERE k.customer_id = r.id
                """, [payload, current.id])
            try connection.query("""
                UPDATE customer_details d SET phone_index = decode(r.phone_index, 'hex'),
                                              id_number_index = decode(r.id_number_index, 'hex')
                  FROM jsonb_to_recordset($1::jsonb) AS r(id int8, phone_index text, id_number_index text)
                 WHERE d.customer_id = r.id
                """, [payload])
            return (rows.count, moved.last?.id)
        }
    }

    /// Runs `body` in one transaction per batch as the system actor `job`,
    /// each batch going on from the last customer of the one before (`body`
    /// gets that customer id and returns how many it changed and the last),
    /// until a batch comes back short or `maxBatches` ran. Returns the total.
    ///
    /// A cursor, because searched from the start every batch read the whole
    /// directory again: a million customers without keys took hours (issue
    /// 17's full-size company, loaded behind the daemon's back). The batch
    /// statements repeat it on each table of their join: PostgreSQL does not
    /// carry it over, and each merge would read its table from the start.
    /// Without JIT: the policies' subplans put those statements far past
    /// `jit_above_cost`, and PostgreSQL compiled for 7 s to run one in 3 ms
    /// (these connections are not the pool's, which has JIT off already).
    private static func customerBatches(
        _ job: String, batch: Int, maxBatches: Int? = nil, on connection: PostgresConnection,
        progress: (Int) -> Void = { _ in },
        _ body: (PostgresConnection, Int64) throws -> (count: Int, last: Int64?)
    ) throws -> Int {
        var total = 0
        var batches = 0
        var after = Int64.min
        while maxBatches.map({ batches < $0 }) ?? true {
            batches += 1
            let done = try connection.transaction { connection -> (count: Int, last: Int64?) in
                try connection.query("SELECT dossier.begin_system_command($1::text), set_config('jit', 'off', true)", [job])
                return try body(connection, after)
            }
            total += done.count
            progress(total)
            if done.count < batch { break }
            if let last = done.last { after = last }
        }
        return total
    }

    /// How many customers' data keys each master key wraps (`dossierd keys status`).
    public static func usage(on connection: PostgresConnection) throws -> [(keyID: String, customers: Int64)] {
        try connection.query("SELECT key_id, customers FROM dossier.data_keys_in_use() ORDER BY key_id").rows
            .map { (try $0.decode("key_id", as: String.self), try $0.decode("customers", as: Int64.self)) }
    }
}
