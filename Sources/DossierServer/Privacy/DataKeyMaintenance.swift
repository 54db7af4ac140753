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
    /// customers it changed.
    @discardableResult
    public static func encryptExisting(_ personalData: PersonalData, batch: Int = 500, on connection: PostgresConnection) throws -> Int {
        var total = 0
        while true {
            let done = try connection.transaction { connection -> Int in
                try connection.query("SELECT dossier.begin_system_command('encrypt-existing')")
                let rows = try connection.query("""
                    SELECT d.customer_id, c.number, d.legacy_phone, d.legacy_email, d.legacy_address
                      FROM customer_details d JOIN customers c ON c.id = d.customer_id
                     WHERE d.legacy_phone IS NOT NULL OR d.legacy_email IS NOT NULL OR d.legacy_address IS NOT NULL
                        OR (c.purged_at IS NULL AND NOT EXISTS (SELECT 1 FROM customer_keys k WHERE k.customer_id = d.customer_id))
                     ORDER BY d.customer_id LIMIT $1::int4
                     FOR UPDATE OF d
                    """, [batch]).rows
                for row in rows {
                    let id = try row.decode("customer_id", as: Int64.self)
                    let key = try personalData.keyForWriting(customerID: id, on: connection)
                    for (column, field) in [("legacy_phone", SensitiveField.phone), ("legacy_email", .email),
                                            ("legacy_address", .address)] {
                        guard let value = try row.decodeIfPresent(column, as: String.self) else { continue }
                        try CustomerFields.write(value.isEmpty ? nil : value, field, customerID: id, key: key,
                                                 personalData: personalData, on: connection)
                    }
                    try connection.query("""
                        UPDATE customer_details SET legacy_phone = NULL, legacy_email = NULL, legacy_address = NULL
                         WHERE customer_id = $1::int8
                        """, [id])
                }
                return rows.count
            }
            total += done
            if done < batch { return total }
        }
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
        var total = 0
        var batches = 0
        while maxBatches.map({ batches < $0 }) ?? true {
            batches += 1
            let done = try connection.transaction { connection -> Int in
                try connection.query("SELECT dossier.begin_system_command('keys-rotate')")
                // Locked FOR UPDATE: a command writing a sealed field holds the
                // key FOR SHARE (PersonalData.key(lock:)), so the two take turns.
                let rows = try connection.query("""
                    SELECT k.customer_id, k.key_id, k.wrapped, c.number, d.phone_sealed, d.id_number_sealed
                      FROM customer_keys k
                      JOIN customers c ON c.id = k.customer_id
                      LEFT JOIN customer_details d ON d.customer_id = k.customer_id
                     WHERE k.key_id <> $1::text
                     ORDER BY k.customer_id LIMIT $2::int4
                     FOR UPDATE OF k
                    """, [current.id, batch]).rows
                for row in rows {
                    let id = try row.decode("customer_id", as: Int64.self)
                    let number = try row.decode("number", as: String.self)
                    let old = try personalData.open(keyID: try row.decode("key_id", as: String.self),
                                                    wrapped: try row.decode("wrapped", as: [UInt8].self), number: number)
                    let moved = PersonalData.CustomerKey(dataKey: old.dataKey, master: current, number: number)
                    var indexes: [SensitiveField: [UInt8]?] = [:]
                    for (column, field) in [("phone_sealed", SensitiveField.phone), ("id_number_sealed", .idNumber)] {
                        guard let sealed = try row.decodeIfPresent(column, as: [UInt8].self) else { continue }
                        indexes[field] = BlindIndex.compute(try personalData.open(sealed, field, with: old), field: field, master: current)
                    }
                    try connection.query("""
                        UPDATE customer_keys SET key_id = $2::text, wrapped = $3::bytea, rewrapped_at = now()
                         WHERE customer_id = $1::int8
                        """, [id, current.id, try moved.dataKey.wrapped(with: current, customer: number)])
                    try connection.query("""
                        UPDATE customer_details SET phone_index = coalesce($2::bytea, phone_index),
                                                    id_number_index = coalesce($3::bytea, id_number_index)
                         WHERE customer_id = $1::int8
                        """, [id, indexes[.phone] ?? nil, indexes[.idNumber] ?? nil])
                }
                return rows.count
            }
            total += done
            progress(total)
            if done < batch { return total }
        }
        return total
    }

    /// How many customers' data keys each master key wraps (`dossierd keys status`).
    public static func usage(on connection: PostgresConnection) throws -> [(keyID: String, customers: Int64)] {
        try connection.query("SELECT key_id, customers FROM dossier.data_keys_in_use() ORDER BY key_id").rows
            .map { (try $0.decode("key_id", as: String.self), try $0.decode("customers", as: Int64.self)) }
    }
}
