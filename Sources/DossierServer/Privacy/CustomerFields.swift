import DossierDomain
import DossierPrivacy
import DossierProtocol
import Postgres

/// The columns of one sensitive field in `customer_details` (migration 0070):
/// `<field>_sealed`, `<field>_masked` and, for indexed fields, `<field>_index`,
/// written through `dossier.customer_field_write` (0071) with the field's name
/// as a parameter. A row that selected every `<field>_sealed` is opened here.
enum CustomerFields {
    /// Writes (or clears, with nil) one field of a customer.
    static func write(
        _ value: String?, _ field: SensitiveField, customerID: Int64, key: PersonalData.CustomerKey,
        personalData: PersonalData, on connection: PostgresConnection
    ) throws {
        let sealed = try value.map { try personalData.seal($0, field, with: key) }
        try connection.query(
            "SELECT dossier.customer_field_write($1::int8, $2::text, $3::bytea, $4::text, $5::bytea)",
            [customerID, field.name, sealed?.sealed, sealed?.masked, field.isIndexed ? sealed?.index : nil])
    }

    /// The clear values of a row that selected every `<field>_sealed`, opened with the
    /// customer's key; nil key (erased): none.
    static func open(_ row: PostgresRow, key: PersonalData.CustomerKey?, personalData: PersonalData) throws
        -> [SensitiveField: String] {
        guard let key else { return [:] }
        var values: [SensitiveField: String] = [:]
        for field in SensitiveField.allCases {
            guard let sealed = try row.decodeIfPresent("\(field.name)_sealed", as: [UInt8].self) else { continue }
            values[field] = try personalData.open(sealed, field, with: key)
        }
        return values
    }
}
