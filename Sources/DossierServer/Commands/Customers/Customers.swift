import DossierDomain
import DossierProtocol
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
    static func create(_ command: CustomerNew, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let owner = try owner(for: command.owner, actor: actor, on: connection)

        // The counter row stays locked until the command commits, so concurrent
        // NEWs queue here and a failed command gives its number back (rollback).
        let counter = try connection.query("""
            INSERT INTO customer_counters (year, last_no)
            VALUES (extract(year FROM now())::int, 1)
            ON CONFLICT (year) DO UPDATE SET last_no = customer_counters.last_no + 1
            RETURNING year, last_no
            """).rows[0]
        guard let number = CustomerNumber(year: try counter.decode("year", as: Int.self),
                                          sequence: try counter.decode("last_no", as: Int.self))
        else { throw PostgresError(kind: .client, message: "customer counter out of range") }

        let id = try connection.query("""
            INSERT INTO customers (number, name, owner_id, dept_id)
            VALUES ($1::text, $2::text, $3::int8, $4::int8)
            RETURNING id
            """, [number.description, command.name, owner.id, owner.departmentID]).rows[0].decode("id", as: Int64.self)
        try connection.query("""
            INSERT INTO customer_details (customer_id, kind, credit_code, legal_rep, contact, phone, email, address,
                                          industry, region, grade, credit_limit_fen)
            VALUES ($1::int8, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text,
                    $9::text, $10::text, $11::text, $12::int8)
            """, [id, (command.kind ?? .company).rawValue, command.creditCode?.rawValue, command.legalRep,
                  command.contact, command.phone, command.email, command.address,
                  command.industry, command.region, command.grade?.rawValue, command.creditLimit?.fen])
        try Audit.record(connection, action: "customer.new", target: number.description,
                         detail: "owner=\(owner.login) dept=\(owner.departmentCode)")
        return .ok(number.description)
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
    static func show(_ number: CustomerNumber, actor: Actor, on connection: PostgresConnection) throws -> Response {
        guard let row = try connection.query("""
            SELECT c.number, c.name, u.login AS owner, d.code AS dept,
                   to_char(c.created_at, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM') AS created,
                   to_char(c.updated_at, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM') AS updated,
                   to_char(c.closed_on, 'YYYY-MM-DD') AS closed,
                   cd.customer_id IS NOT NULL AS details, cd.kind, cd.credit_code, cd.legal_rep, cd.contact,
                   cd.phone, cd.email, cd.address, cd.industry, cd.region, cd.grade, cd.credit_rating,
                   cd.credit_limit_fen
              FROM customers c
              JOIN users u ON u.id = c.owner_id
              JOIN departments d ON d.id = c.dept_id
              LEFT JOIN customer_details cd ON cd.customer_id = c.id
             WHERE c.number = $1::text
            """, [number.description]).first
        else { throw notFound(number) }

        var out = Row()
        out.append("id", try row.decode("number", as: String.self))
        out.append("name", try row.decode("name", as: String.self))
        out.append("owner", try row.decode("owner", as: String.self))
        out.append("dept", try row.decode("dept", as: String.self))
        out.append("created", try row.decode("created", as: String.self))
        out.append("updated", try row.decode("updated", as: String.self))
        out.append("closed", try row.decodeIfPresent("closed", as: String.self))
        if try row.decode("details", as: Bool.self) {
            for key in ["kind", "credit_code", "legal_rep", "contact", "phone", "email", "address", "industry",
                        "region", "grade", "credit_rating"] {
                out.append(key, try row.decodeIfPresent(key, as: String.self))
            }
            out.append("credit_limit", try row.decodeIfPresent("credit_limit_fen", as: Int64.self).map { Money(fen: $0) })
        }
        return .rows([out])
    }

    /// The same answer for a missing customer and one the caller may not see.
    static func notFound(_ number: CustomerNumber) -> ProtocolError {
        ProtocolError(.notFound, "no customer \(number)")
    }

    // MARK: CUSTOMER FIND, CUSTOMER LIST

    static func find(_ command: CustomerFind, actor: Actor, on connection: PostgresConnection) throws -> Response {
        try CustomerSearch.find(command, on: connection)
    }

    static func list(_ command: CustomerList, actor: Actor, on connection: PostgresConnection) throws -> Response {
        try CustomerSearch.list(command, on: connection)
    }
}
