import DossierDomain
import DossierPrivacy
import DossierProtocol
import Postgres

/// The columns of one sensitive field in `customer_details` (migration 0070):
/// `<field>_sealed`, `<field>_masked` and, for indexed fields, `<field>_index`.
/// Column names come from `SensitiveField`, a closed set, never from input.
enum CustomerFields {
    /// Writes (or clears, with nil) one field of a customer.
    static func write(
        _ value: String?, _ field: SensitiveField, customerID: Int64, key: PersonalData.CustomerKey,
        personalData: PersonalData, on connection: PostgresConnection
    ) throws {
        let sealed = try value.map { try personalData.seal($0, field, with: key) }
        var parameters: [(any PostgresEncodable)?] = [customerID, sealed?.sealed, sealed?.masked]
        var assignments = "\(field.name)_sealed = $2::bytea, \(field.name)_masked = $3::text"
        if field.isIndexed {
            parameters.append(sealed?.index)
            assignments += ", \(field.name)_index = $4::bytea"
        }
        try connection.query("UPDATE customer_details SET \(assignments) WHERE customer_id = $1::int8", parameters)
    }

    /// The sealed columns' names, for a SELECT list.
    static func sealedColumns(of alias: String) -> String {
        SensitiveField.allCases.map { "\(alias).\($0.name)_sealed" }.joined(separator: ", ")
    }

    /// The clear values of a row that selected `sealedColumns`, opened with the
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
