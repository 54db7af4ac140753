import DossierDomain
import DossierProtocol
import Foundation
import Logging
import Postgres

/// `dossierd import customers`: a customer list exported from Excel (CSV,
/// UTF-8 with or without BOM, or GBK), one `CUSTOMER NEW` per row.
///
/// Every row goes through the protocol's own parser and `CUSTOMER NEW`'s owner
/// rule; credit codes are checked against the file and the whole database
/// (what the verb's unique index would refuse); only when every row passes
/// (and it is not a dry run) are they written, by `CUSTOMER NEW`'s own insert
/// for many customers at once: numbers in file order, one `customer.new` audit
/// row each plus one `customer.import` row for the file, in one transaction.
/// Nothing is written otherwise: the import is all or nothing. (One statement
/// per table, not one command per row: 10,000 savepoints or 10,000 updates of
/// the counter row in one transaction are quadratic.)
public enum CustomerImport {
    /// Column headings, Chinese (as office spreadsheets write them) and English, → `CUSTOMER NEW` keys.
    static let headings: [String: String] = [
        "客户名称": "name", "名称": "name", "统一社会信用代码": "credit_code", "信用代码": "credit_code",
        "法定代表人": "legal_rep", "法人代表": "legal_rep", "联系人": "contact", "电话": "phone", "联系电话": "phone",
        "邮箱": "email", "电子邮箱": "email", "地址": "address", "行业": "industry", "地区": "region", "区域": "region",
        "等级": "grade", "客户等级": "grade", "信用额度": "credit_limit", "类型": "kind", "客户类型": "kind", "负责人": "owner",
        "name": "name", "customer_name": "name", "customer": "name", "credit_code": "credit_code",
        "unified_social_credit_code": "credit_code", "legal_rep": "legal_rep", "legal_representative": "legal_rep",
        "contact": "contact", "contact_person": "contact", "phone": "phone", "telephone": "phone", "email": "email",
        "e_mail": "email", "address": "address", "industry": "industry", "region": "region", "grade": "grade",
        "credit_limit": "credit_limit", "kind": "kind", "owner": "owner",
        "身份证号码": "id_number", "身份证号": "id_number", "银行账号": "bank_account", "银行账户": "bank_account",
        "同意日期": "consent_on", "同意范围": "consent_scope", "同意书": "consent_ref",
        "id_number": "id_number", "bank_account": "bank_account", "consent_on": "consent_on", "consent_scope": "consent_scope",
        "consent_ref": "consent_ref",
    ]

    /// Columns an export writes for information that an import leaves alone:
    /// numbers are assigned anew, the department is the owner's.
    static let ignoredHeadings: Set<String> = ["客户编号", "部门", "number", "customer_number", "id", "dept", "department"]

    /// The columns of `dossierd export customers`, in order: protocol key → heading.
    static let exportHeadings: [(key: String, heading: String)] = [
        ("id", "客户编号"), ("name", "客户名称"), ("kind", "类型"), ("credit_code", "统一社会信用代码"),
        ("legal_rep", "法定代表人"), ("contact", "联系人"), ("id_number", "身份证号码"), ("phone", "电话"), ("email", "邮箱"),
        ("address", "地址"), ("bank_account", "银行账号"), ("consent_on", "同意日期"), ("consent_scope", "同意范围"),
        ("consent_ref", "同意书"),
        ("industry", "行业"), ("region", "地区"), ("grade", "等级"), ("credit_limit", "信用额度"), ("owner", "负责人"),
        ("dept", "部门"),
    ]

    /// One refused row: its line in the file and the protocol's answer to it.
    public struct RowError: Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        /// The protocol's answer to the row, as CUSTOMER NEW would give it.
        public let refusal: ProtocolError
        /// The file's heading of the column the refusal is about, when it is
        /// about one: the answer names `CUSTOMER NEW`'s argument (`grade`), the
        /// clerk knows the sheet's column (`等级`).
        public let column: String?

        public init(line: Int, refusal: ProtocolError, column: String? = nil) {
            self.line = line
            self.refusal = refusal
            self.column = column
        }

        /// `ERR <CODE> <message>`.
        public var message: String { "ERR \(refusal.code.rawValue) \(refusal.message)" }
        public var description: String { "line \(line)\(column.map { " (\($0))" } ?? ""): \(message)" }
    }

    public struct Outcome: Sendable {
        /// Data rows in the file.
        public let rows: Int
        /// Customer numbers created, in file order (none on a dry run).
        public let numbers: [String]
        public let errors: [RowError]
        /// Whether the customers are now in the database.
        public let committed: Bool
    }

    /// A file that cannot be read as a customer list at all.
    public struct FileError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Reads, checks and (unless `dryRun` or a row fails) creates the customers as `login`.
    public static func run(
        bytes: [UInt8], encoding: TextEncoding, dryRun: Bool, as login: String, fileName: String,
        personalData: PersonalData? = nil, on connection: PostgresConnection
    ) throws -> Outcome {
        let text: String
        do { text = try encoding.decode(bytes) } catch { throw FileError(description: error.description) }
        let records = CSV.parse(text)
        guard let header = records.first else { throw FileError(description: "the file is empty") }
        var keys: [String?] = []
        var columns: [String: String] = [:]  // CUSTOMER NEW key → the file's heading
        for heading in header.fields {
            let cleaned = heading.trimmingCharacters(in: .whitespacesAndNewlines)
            if cleaned.isEmpty { keys.append(nil); continue }
            let normalized = cleaned.lowercased().replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
            if Self.ignoredHeadings.contains(cleaned) || Self.ignoredHeadings.contains(normalized) { keys.append(nil); continue }
            guard let key = headings[cleaned] ?? headings[normalized] else {
                throw FileError(description: "unknown column \"\(cleaned)\" (known: 客户名称, 统一社会信用代码, 法定代表人, 联系人, 电话, 邮箱, 地址, 行业, 地区, 等级, 信用额度 or their English names)")
            }
            if keys.contains(key) { throw FileError(description: "column \"\(cleaned)\" appears twice") }
            keys.append(key)
            columns[key] = cleaned
        }
        guard keys.contains("name") else { throw FileError(description: "no 客户名称 (name) column") }
        let rows = Array(records.dropFirst())

        let logger = Logger(label: "dossierd.import")
        return try connection.transaction { connection in
            let actor = try OperatorCommand.actor(login, on: connection)
            guard Verb.customerNew.spec.access.permits(actor.role) else {
                throw ProtocolError(.denied, "CUSTOMER NEW is not for role \(actor.role.rawValue)")
            }
            var accepted: [(line: Int, customer: Customers.NewCustomer)] = []
            var errors: [RowError] = []
            var creditCodes: [String: Int] = [:]
            var owners: [String: Result<Customers.Owner, ProtocolError>] = [:]
            let consentRule = try Customers.consentRule(on: connection)
            func refuse(_ line: Int, _ error: any Error) {
                let refusal = DatabaseErrorMapping.protocolError(for: error, logger: logger)
                errors.append(RowError(line: line, refusal: refusal, column: refusal.argument.flatMap { columns[$0] }))
            }
            for row in rows {
                do {
                    // The protocol's own parser: every check CUSTOMER NEW's arguments get.
                    guard case .customerNew(let command) = try OperatorCommand.command(
                        ["CUSTOMER", "NEW"], Self.arguments(row.fields, keys: keys))
                    else { throw ProtocolError(.internal, "CUSTOMER NEW parsed as another command") }
                    // CUSTOMER NEW's owner rule, once per owner named in the file.
                    let ownerKey = command.owner?.rawValue ?? ""
                    if owners[ownerKey] == nil {
                        do {
                            owners[ownerKey] = .success(try Customers.owner(for: command.owner, actor: actor, on: connection))
                        } catch {
                            var refusal = DatabaseErrorMapping.protocolError(for: error, logger: logger)
                            // A named owner refused (unknown, another department) is the owner column's.
                            if command.owner != nil, refusal.argument == nil { refusal.argument = "owner" }
                            owners[ownerKey] = .failure(refusal)
                        }
                    }
                    let owner = try owners[ownerKey]!.get()
                    try Customers.check(command, consentRule: consentRule)
                    if let code = command.creditCode?.rawValue {
                        if let first = creditCodes[code] {
                            throw ProtocolError(.conflict, "credit_code \(code) also on line \(first)", argument: "credit_code")
                        }
                        creditCodes[code] = row.line
                    }
                    accepted.append((row.line, Customers.NewCustomer(command: command, owner: owner)))
                } catch {
                    refuse(row.line, error)
                }
            }
            // Duplicates in the database, as CUSTOMER NEW's unique index would find them.
            if !creditCodes.isEmpty {
                let codes = String(decoding: try JSONEncoder().encode(Array(creditCodes.keys)), as: UTF8.self)
                let taken = try connection.query("SELECT dossier.credit_codes_taken($1::jsonb) AS code", [codes]).rows
                var takenLines = Set<Int>()
                for row in taken {
                    if let line = creditCodes[try row.decode("code", as: String.self)] {
                        takenLines.insert(line)
                        errors.append(RowError(line: line, refusal: ProtocolError(.conflict, "a customer with this credit code exists already"),
                                               column: columns["credit_code"]))
                    }
                }
                accepted.removeAll { takenLines.contains($0.line) }
                errors.sort { $0.line < $1.line }
            }
            guard !dryRun, errors.isEmpty else {
                return Outcome(rows: rows.count, numbers: [], errors: errors, committed: false)
            }
            let numbers = try Customers.insert(accepted.map(\.customer), personalData: personalData, on: connection).map(\.description)
            try Audit.record(connection, action: "customer.import", target: fileName,
                             detail: "rows=\(rows.count) first=\(numbers.first ?? "") last=\(numbers.last ?? "")")
            return Outcome(rows: rows.count, numbers: numbers, errors: [], committed: true)
        }
    }

    /// The row's non-empty cells as `CUSTOMER NEW` arguments, with the forms
    /// spreadsheets produce made canonical (grade case, credit code case,
    /// thousands separators and currency signs in the credit limit).
    static func arguments(_ fields: [String], keys: [String?]) -> [(String, String)] {
        var arguments: [(String, String)] = []
        for (index, key) in keys.enumerated() {
            guard let key, index < fields.count else { continue }
            var value = fields[index].trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { continue }
            switch key {
            case "grade", "credit_code": value = value.uppercased()
            case "kind": value = value.lowercased()
            case "credit_limit": value = value.filter { !",，¥￥ ".contains($0) }
            default: break
            }
            arguments.append((key, value))
        }
        return arguments
    }
}
