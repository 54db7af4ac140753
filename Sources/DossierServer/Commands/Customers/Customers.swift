import DossierDomain
import DossierProtocol
import Foundation
import Postgres

/// Customers (客户): the company-wide directory (`customers`) and the details
/// (`customer_details`) that follow the content rule of the customer's dossiers.
/// What a caller sees is decided by row-level security in the command's
/// transaction: a directory row the caller may not see is `NOTFOUND`; details
/// the caller may not see are simply absent from the answer.
enum Customers {
    // MARK: CUSTOMER NEW

    /// `CUSTOMER NEW`: the next gapless number of the database's current year,
    /// the directory row and the details row, one audit row.
    static func create(_ command: CustomerNew, actor: Actor, personalData: PersonalData?, on connection: PostgresConnection) throws
        -> Response {
        let owner = try owner(for: command.owner, actor: actor, on: connection)
        // The same name (trimmed, full-width folded, case-insensitive: customer_name_key)
        // is a duplicate unless the caller says otherwise. The function locks the name
        // for this transaction, so two NEWs of one name cannot both pass.
        let duplicates = try connection.query("SELECT number FROM dossier.customer_name_duplicates($1::text)", [command.name])
            .rows.map { try $0.decode("number", as: String.self) }
        if !duplicates.isEmpty && !command.duplicate {
            let numbers = duplicates.joined(separator: ", ")
            throw ProtocolError(.conflict, "duplicate of \(numbers) (same name); add duplicate=yes to create another customer of this name")
        }
        let numbers = try insert([NewCustomer(command: command, owner: owner)], personalData: personalData, on: connection)
        return .ok(numbers[0].description)
    }

    /// A checked `CUSTOMER NEW`: the request and its owner.
    struct NewCustomer {
        let command: CustomerNew
        let owner: Owner
    }

    /// One customer as the statements below read it (`jsonb_to_recordset`).
    private struct Record: Encodable {
        let ord: Int
        let number: String
        let name: String
        let ownerID: Int64
        let deptID: Int64
        let owner: String
        let dept: String
        let kind: String
        let creditCode: String?
        let legalRep: String?
        let contact: String?
        let industry: String?
        let region: String?
        let grade: String?
        let creditLimitFen: Int64?
        let consentOn: String?
        let consentScope: String?
        let consentRef: String?
        // The data key, wrapped, and the sealed fields (hex), masks and blind indexes.
        let keyID: String
        let wrapped: String
        let idNumberSealed: String?, idNumberMasked: String?, idNumberIndex: String?
        let phoneSealed: String?, phoneMasked: String?, phoneIndex: String?
        let emailSealed: String?, emailMasked: String?
        let addressSealed: String?, addressMasked: String?
        let bankAccountSealed: String?, bankAccountMasked: String?
    }

    /// A person customer without consent, under the company's `refuse` rule, and
    /// an identity card number on a company, are refused before anything is written.
    private static func check(_ customers: [NewCustomer], on connection: PostgresConnection) throws {
        guard !customers.isEmpty else { return }
        let rule = try consentRule(on: connection)
        for customer in customers { try check(customer.command, consentRule: rule) }
    }

    /// One customer against the rules above (the import checks each row with it).
    static func check(_ command: CustomerNew, consentRule: ConsentRule) throws {
        if command.idNumber != nil && command.kind != .person {
            throw ProtocolError.invalid("id_number", "only a person customer (kind=person) has an identity card number")
        }
        if command.kind == .person && command.consentOn == nil && consentRule == .refuse {
            // One literal: the message catalog matches whole texts.
            throw ProtocolError(.conflict, "a person customer needs the customer's written consent (consent_on=) under the company's consent rule refuse")
        }
    }

    /// `COMPANY SET consent_rule=` (0070).
    static func consentRule(on connection: PostgresConnection) throws -> ConsentRule {
        let text = try connection.query("SELECT consent_rule FROM company_settings").firstRow().decode("consent_rule", as: String.self)
        return ConsentRule(rawValue: text) ?? .refuse
    }

    /// Creates `customers` in the order given (`CUSTOMER NEW`, and the import
    /// of a whole file): consecutive numbers of the database's current year
    /// from one counter update, one statement per table, one `customer.new`
    /// audit row each. The records travel as one JSON parameter.
    static func insert(_ customers: [NewCustomer], personalData: PersonalData?, on connection: PostgresConnection) throws
        -> [CustomerNumber] {
        guard !customers.isEmpty else { return [] }
        try check(customers, on: connection)
        guard let personalData else { throw PersonalData.noKeyFile }
        // The counter row stays locked until the command commits, so concurrent
        // NEWs queue here and a failed command gives its numbers back (rollback).
        let counter = try connection.query("""
            INSERT INTO customer_counters (year, last_no)
            VALUES (extract(year FROM now())::int, $1::int4)
            ON CONFLICT (year) DO UPDATE SET last_no = customer_counters.last_no + $1::int4
            RETURNING year, last_no
            """, [customers.count]).firstRow()
        let year = try counter.decode("year", as: Int.self)
        let last = try counter.decode("last_no", as: Int.self)
        var records: [Record] = []
        var numbers: [CustomerNumber] = []
        for (index, customer) in customers.enumerated() {
            guard let number = CustomerNumber(year: year, sequence: last - customers.count + 1 + index) else {
                throw PostgresError(kind: .client, message: "customer counter out of range")
            }
            numbers.append(number)
            let command = customer.command
            let (key, wrapped) = try personalData.newKey(for: number.description)
            var sealed: [SensitiveField: PersonalData.SealedValue] = [:]
            for (field, value) in command.sensitiveValues { sealed[field] = try personalData.seal(value, field, with: key) }
            func hex(_ bytes: [UInt8]?) -> String? { bytes.map { Hex.string($0) } }
            records.append(Record(
                ord: index, number: number.description, name: command.name, ownerID: customer.owner.id,
                deptID: customer.owner.departmentID, owner: customer.owner.login, dept: customer.owner.departmentCode,
                kind: (command.kind ?? .company).rawValue, creditCode: command.creditCode?.rawValue, legalRep: command.legalRep,
                contact: command.contact,
                industry: command.industry, region: command.region, grade: command.grade?.rawValue,
                creditLimitFen: command.creditLimit?.fen, consentOn: command.consentOn?.description,
                consentScope: command.consentScope, consentRef: command.consentRef,
                keyID: key.master.id, wrapped: Hex.string(wrapped),
                idNumberSealed: hex(sealed[.idNumber]?.sealed), idNumberMasked: sealed[.idNumber]?.masked,
                idNumberIndex: hex(sealed[.idNumber]?.index ?? nil),
                phoneSealed: hex(sealed[.phone]?.sealed), phoneMasked: sealed[.phone]?.masked,
                phoneIndex: hex(sealed[.phone]?.index ?? nil),
                emailSealed: hex(sealed[.email]?.sealed), emailMasked: sealed[.email]?.masked,
                addressSealed: hex(sealed[.address]?.sealed), addressMasked: sealed[.address]?.masked,
                bankAccountSealed: hex(sealed[.bankAccount]?.sealed), bankAccountMasked: sealed[.bankAccount]?.masked))
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let json = String(decoding: try encoder.encode(records), as: UTF8.self)
        try connection.query("""
            WITH r AS (
                SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
                    ord int, number text, name text, owner_id int8, dept_id int8, kind text, credit_code text,
                    legal_rep text, contact text, industry text, region text, grade text, credit_limit_fen int8,
                    consent_on date, consent_scope text, consent_ref text, key_id text, wrapped text,
                    id_number_sealed text, id_number_masked text, id_number_index text,
                    phone_sealed text, phone_masked text, phone_index text, email_sealed text, email_masked text,
                    address_sealed text, address_masked text, bank_account_sealed text, bank_account_masked text)
            ), c AS (
                INSERT INTO customers (number, name, owner_id, dept_id)
                SELECT number, name, owner_id, dept_id FROM r ORDER BY ord
                RETURNING id, number
            ), k AS (
                INSERT INTO customer_keys (customer_id, key_id, wrapped)
                SELECT c.id, r.key_id, decode(r.wrapped, 'hex') FROM c JOIN r USING (number)
            )
            INSERT INTO customer_details (customer_id, kind, credit_code, legal_rep, contact,
                                          industry, region, grade, credit_limit_fen, consent_on, consent_scope, consent_ref,
                                          id_number_sealed, id_number_masked, id_number_index,
                                          phone_sealed, phone_masked, phone_index, email_sealed, email_masked,
                                          address_sealed, address_masked, bank_account_sealed, bank_account_masked)
            SELECT c.id, r.kind, r.credit_code, r.legal_rep, r.contact,
                   r.industry, r.region, r.grade, r.credit_limit_fen, r.consent_on, r.consent_scope, r.consent_ref,
                   decode(r.id_number_sealed, 'hex'), r.id_number_masked, decode(r.id_number_index, 'hex'),
                   decode(r.phone_sealed, 'hex'), r.phone_masked, decode(r.phone_index, 'hex'),
                   decode(r.email_sealed, 'hex'), r.email_masked,
                   decode(r.address_sealed, 'hex'), r.address_masked,
                   decode(r.bank_account_sealed, 'hex'), r.bank_account_masked
              FROM c JOIN r USING (number)
            """, [json])
        try connection.query("""
            SELECT count(dossier.audit('customer.new', s.number, '', 'owner=' || s.owner || ' dept=' || s.dept))
              FROM (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(ord int, number text, owner text, dept text)
                     ORDER BY ord) s
            """, [json])
        return numbers
    }

    /// A user who may own the new customer.
    struct Owner {
        let id: Int64
        let login: String
        let departmentID: Int64
        let departmentCode: String
    }

    /// The caller, or `owner=`: a rep only for themselves, a manager for people
    /// of their department, a director for anyone. The owner must be an active
    /// rep, manager or director.
    static func owner(for login: Login?, actor: Actor, on connection: PostgresConnection) throws -> Owner {
        guard let login, login.rawValue != actor.login else {
            return Owner(id: actor.userID, login: actor.login, departmentID: actor.departmentID,
                         departmentCode: actor.departmentCode)
        }
        guard let row = try connection.query("""
            SELECT u.id, u.role, u.active, u.dept_id, d.code AS dept
              FROM users u JOIN departments d ON d.id = u.dept_id
             WHERE u.login = $1::text
            """, [login.rawValue]).first
        else { throw ProtocolError(.notFound, "no user \(login.rawValue)") }
        let owner = Owner(id: try row.decode("id", as: Int64.self), login: login.rawValue,
                          departmentID: try row.decode("dept_id", as: Int64.self),
                          departmentCode: try row.decode("dept", as: String.self))
        switch actor.role {
        case .director:
            break
        case .manager where owner.departmentID == actor.departmentID:
            break
        case .manager:
            throw ProtocolError(.denied, "a manager creates customers only for people of their own department")
        default:
            throw ProtocolError(.denied, "you may create customers only for yourself")
        }
        guard try row.decode("active", as: Bool.self) else { throw ProtocolError(.notFound, "no active user \(login.rawValue)") }
        let role = Role(rawValue: try row.decode("role", as: String.self))
        guard role == .rep || role == .manager || role == .director else {
            throw ProtocolError.invalid("owner", "must be a rep, manager or director")
        }
        return owner
    }

    // MARK: CUSTOMER SHOW

    /// `CUSTOMER SHOW <id>`: directory fields, plus the details when the
    /// caller's policy shows the details row.
    static func show(_ number: CustomerNumber, actor: Actor, personalData: PersonalData?, on connection: PostgresConnection) throws
        -> Response {
        guard let row = try connection.query(showSelect + " WHERE c.number = $1::text", [number.description]).first
        else { throw notFound(number) }
        return .rows([try showRow(row, personalData: personalData)])
    }

    /// `CUSTOMER SHOW` of every customer the caller sees in the directory, in
    /// number order, in one statement (`dossierd export customers`).
    static func showAll(personalData: PersonalData?, on connection: PostgresConnection) throws -> [Row] {
        try connection.query(showSelect + " ORDER BY dossier.customer_number_key(c.number)").rows
            .map { try showRow($0, personalData: personalData) }
    }

    private static let showSelect = """
        SELECT c.number, c.name, u.login AS owner, d.code AS dept,
               dossier.wire_time(c.created_at) AS created,
               dossier.wire_time(c.updated_at) AS updated,
               to_char(c.closed_on, 'YYYY-MM-DD') AS closed,
               cd.customer_id IS NOT NULL AS details, cd.kind, cd.credit_code, cd.legal_rep, cd.contact,
               cd.industry, cd.region, cd.grade, cd.credit_rating, cd.credit_limit_fen,
               to_char(cd.consent_on, 'YYYY-MM-DD') AS consent_on, cd.consent_scope, cd.consent_ref,
               cd.id_number_sealed, cd.phone_sealed, cd.email_sealed, cd.address_sealed, cd.bank_account_sealed, k.key_id, k.wrapped,
               \(CustomerVisitSummary.columns),
               CASE WHEN cd.customer_id IS NOT NULL THEN array_to_string(dossier.credit_flags(c.id), ',') END AS credit_flags
          FROM customers c
          JOIN users u ON u.id = c.owner_id
          JOIN departments d ON d.id = c.dept_id
          LEFT JOIN customer_details cd ON cd.customer_id = c.id
          LEFT JOIN customer_keys k ON k.customer_id = cd.customer_id
          \(CustomerVisitSummary.join)
        """

    /// The sensitive fields opened (the caller sees the details, so the key
    /// row too); a customer whose key went with an erasure shows none.
    private static func showRow(_ row: PostgresRow, personalData: PersonalData?) throws -> Row {
        var out = Row()
        out.append("id", try row.decode("number", as: String.self))
        out.append("name", try row.decode("name", as: String.self))
        out.append("owner", try row.decode("owner", as: String.self))
        out.append("dept", try row.decode("dept", as: String.self))
        out.append("created", try row.decode("created", as: String.self))
        out.append("updated", try row.decode("updated", as: String.self))
        out.append("closed", try row.decodeIfPresent("closed", as: String.self))
        if try row.decode("details", as: Bool.self) {
            let number = try row.decode("number", as: String.self)
            var values: [SensitiveField: String] = [:]
            if let keyID = try row.decodeIfPresent("key_id", as: String.self),
               let wrapped = try row.decodeIfPresent("wrapped", as: [UInt8].self) {
                guard let personalData else { throw PersonalData.noKeyFile }
                values = try CustomerFields.open(
                    row, key: try personalData.open(keyID: keyID, wrapped: wrapped, number: number), personalData: personalData)
            }
            let kind = try row.decodeIfPresent("kind", as: String.self)
            out.append("kind", kind)
            for key in ["credit_code", "legal_rep", "contact"] { out.append(key, try row.decodeIfPresent(key, as: String.self)) }
            out.append("phone", values[.phone])
            out.append("email", values[.email])
            out.append("address", values[.address])
            for key in ["industry", "region", "grade", "credit_rating"] { out.append(key, try row.decodeIfPresent(key, as: String.self)) }
            out.append("credit_limit", try row.decodeIfPresent("credit_limit_fen", as: Int64.self).map { Money(fen: $0) })
            out.append("bank_account", values[.bankAccount])
            let consentOn = try row.decodeIfPresent("consent_on", as: String.self)
            if kind == CustomerKind.person.rawValue { out.append("id_number", values[.idNumber]) }
            if kind == CustomerKind.person.rawValue || consentOn != nil {
                // `missing`: a person customer created under the `flag` rule without consent.
                out.append("consent", consentOn == nil ? "missing" : "given")
                out.append("consent_on", consentOn)
                out.append("consent_scope", try row.decodeIfPresent("consent_scope", as: String.self))
                out.append("consent_ref", try row.decodeIfPresent("consent_ref", as: String.self))
            }
            // Credit flags (over_limit, overdue; 0063): the manager's signal for a credit review.
            out.append("flags", try row.decodeIfPresent("credit_flags", as: String.self))
            try CustomerVisitSummary.append(row, to: &out)
        }
        return out
    }

    /// The same answer for a missing customer and one the caller may not see.
    static func notFound(_ number: CustomerNumber) -> ProtocolError {
        ProtocolError(.notFound, "no customer \(number)")
    }

    // MARK: CUSTOMER HISTORY

    /// `CUSTOMER HISTORY <id>`: every applied change (old, new, reason, requester,
    /// approver, time), for those who see the customer's details.
    static func history(_ number: CustomerNumber, personalData: PersonalData?, on connection: PostgresConnection) throws -> Response {
        guard let customer = try connection.query("""
            SELECT c.id, EXISTS (SELECT 1 FROM customer_details d WHERE d.customer_id = c.id) AS details
              FROM customers c WHERE c.number = $1::text
            """, [number.description]).first
        else { throw notFound(number) }
        guard try customer.decode("details", as: Bool.self) else {
            throw ProtocolError(.denied, "\(number): only the directory entry is visible to you")
        }
        let rows = try connection.query("""
            SELECT dossier.wire_time(h.changed_at) AS at, h.field, coalesce(h.old_value, '') AS old,
                   coalesce(h.new_value, '') AS new, h.reason, r.login AS by, coalesce(a.login, '') AS approved_by,
                   coalesce('A' || h.approval_id, '') AS approval
              FROM change_history h JOIN users r ON r.id = h.requested_by LEFT JOIN users a ON a.id = h.approved_by
             WHERE h.customer_id = $1::int8 ORDER BY h.id
            """, [try customer.decode("id", as: Int64.self)]).rows
        // Sensitive fields' values are sealed with the customer's key (gone after an erasure: `(erased)`).
        let key = try personalData?.key(customerID: try customer.decode("id", as: Int64.self), lock: false, on: connection)
        return .rows(try rows.map { row in
            let sensitive = SensitiveField(name: try row.decode("field", as: String.self)) != nil
            var out = Row()
            for column in ["at", "field", "old", "new", "reason", "by", "approved_by", "approval"] {
                let value = try row.decode(column, as: String.self)
                out.append(column, sensitive && (column == "old" || column == "new")
                           ? personalData?.reveal(value, with: key) ?? value : value)
            }
            return out
        })
    }

    static func list(_ command: CustomerList, actor: Actor, on connection: PostgresConnection) throws -> Response {
        try CustomerSearch.list(command, on: connection)
    }
}
