import DossierDomain
import DossierProtocol
import Postgres

/// A customer as the caller sees it, locked for a change: the directory entry
/// decides NOTFOUND, the details decide DENIED (RULES.md "People and scope").
struct CustomerRecord {
    let id: Int64
    let departmentID: Int64
    let ownerID: Int64
    let closed: Bool
    let number: CustomerNumber

    /// Finds the customer for a change by the owner, the department's manager or a director.
    static func forChange(_ number: CustomerNumber, actor: Actor, toDo what: String, on connection: PostgresConnection) throws
        -> CustomerRecord {
        // Locked when the caller may change it (the write policy grants the
        // lock), else read to say DENIED rather than NOTFOUND.
        let select = """
            SELECT c.id, c.dept_id, c.owner_id, c.closed_on IS NOT NULL AS closed,
                   EXISTS (SELECT 1 FROM customer_details d WHERE d.customer_id = c.id) AS details
              FROM customers c WHERE c.number = $1::text
            """
        guard let row = try connection.query(select + " FOR UPDATE OF c", [number.description]).first
                ?? connection.query(select, [number.description]).first
        else { throw ProtocolError(.notFound, "no customer \(number)") }
        guard try row.decode("details", as: Bool.self) else {
            throw ProtocolError(.denied, "\(number): only the directory entry is visible to you")
        }
        let record = CustomerRecord(
            id: try row.decode("id", as: Int64.self), departmentID: try row.decode("dept_id", as: Int64.self),
            ownerID: try row.decode("owner_id", as: Int64.self), closed: try row.decode("closed", as: Bool.self), number: number)
        guard record.isOwned(by: actor) || record.isManaged(by: actor) || actor.role == .director else {
            throw ProtocolError(.denied, "only the owner, the department's manager or a director \(what) \(number)")
        }
        return record
    }

    func isOwned(by actor: Actor) -> Bool { ownerID == actor.userID }
    func isManaged(by actor: Actor) -> Bool { actor.role == .manager && actor.departmentID == departmentID }
}
