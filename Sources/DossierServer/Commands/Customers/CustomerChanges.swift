import DossierDomain
import DossierProtocol
import Postgres

/// `CUSTOMER SET`: a customer's owner changes its data only with the
/// department manager's approval (a manager's own customers: a director's);
/// the department's manager or a director changes it on their own authority.
/// Either way every changed field leaves a history row (old, new, reason,
/// requester, approver, time) and counts as the customer's monthly refresh.
enum CustomerChanges {
    static func request(_ command: CustomerSet, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let customer = try CustomerRecord.forChange(command.customer, actor: actor, toDo: "changes", on: connection)
        let (id, department) = (customer.id, customer.departmentID)
        let isOwner = customer.isOwned(by: actor)
        let manages = customer.isManaged(by: actor)
        let payload = ChangeSet.payload(command.changes)
        if isOwner {
            let chain = try ApprovalPolicy.chain(for: .customerEdit, .init(
                level: .internal, scope: .personal, requester: actor.role, requesterManagesDepartment: manages))
            let approval = try ApprovalEngine.request(
                .customerEdit, chain: chain, departmentID: department, target: .init(customerID: id),
                payload: payload, reason: command.reason, actor: actor, on: connection)
            return .ok("\(approval) pending")
        }
        let approval = try ApprovalEngine.recordApplied(
            .customerEdit, approver: actor.role == .director ? .director : .manager, departmentID: department,
            target: .init(customerID: id), payload: payload, reason: command.reason, actor: actor, on: connection)
        try apply(customerID: id, departmentID: department, payload: payload, reason: command.reason,
                  requesterID: actor.userID, approverID: actor.userID, approvalID: approval.value, on: connection)
        return .ok("\(approval) applied")
    }

    /// The last approval of an owner's request.
    static func apply(_ approval: ApprovalEngine.Pending, approver: Actor, on connection: PostgresConnection) throws {
        guard let customerID = approval.customerID else { throw ProtocolError(.internal, "customer edit without a customer") }
        try apply(customerID: customerID, departmentID: approval.departmentID, payload: approval.payload,
                  reason: approval.reason ?? "", requesterID: approval.requesterID, approverID: approver.userID,
                  approvalID: approval.id, on: connection)
    }

    private static func apply(
        customerID: Int64, departmentID: Int64, payload: String, reason: String, requesterID: Int64, approverID: Int64,
        approvalID: Int64, on connection: PostgresConnection
    ) throws {
        let current = try connection.query("""
            SELECT c.name, u.login AS owner, d.kind, coalesce(d.credit_code, '') AS credit_code,
                   coalesce(d.legal_rep, '') AS legal_rep, coalesce(d.contact, '') AS contact, coalesce(d.phone, '') AS phone,
                   coalesce(d.email, '') AS email, coalesce(d.address, '') AS address, coalesce(d.industry, '') AS industry,
                   coalesce(d.region, '') AS region, coalesce(d.grade, '') AS grade,
                   coalesce(d.credit_rating, '') AS credit_rating,
                   coalesce((d.credit_limit_fen / 100)::text || '.' || lpad((d.credit_limit_fen % 100)::text, 2, '0'), '')
                       AS credit_limit
              FROM customers c JOIN users u ON u.id = c.owner_id JOIN customer_details d ON d.customer_id = c.id
             WHERE c.id = $1::int8
            """, [customerID]).firstRow()
        let changes = try connection.query("SELECT key, value FROM jsonb_each_text($1::jsonb -> 'changes')", [payload]).rows
        for change in changes {
            let field = try change.decode("key", as: String.self)
            let value = try change.decode("value", as: String.self)
            let old = try current.decode(field, as: String.self)
            switch field {
            case "name":
                try connection.query("UPDATE customers SET name = $2::text WHERE id = $1::int8", [customerID, value])
            case "owner":
                let moved = try connection.query("""
                    UPDATE customers c SET owner_id = u.id FROM users u
                     WHERE c.id = $1::int8 AND u.login = $2::text AND u.active AND u.dept_id = c.dept_id
                    """, [customerID, value])
                guard moved.affectedRows == 1 else {
                    throw ProtocolError(.conflict, "owner \(value) is not an active user of the customer's department")
                }
            default:
                try connection.query("""
                    UPDATE customer_details SET
                        kind = CASE WHEN $2::text = 'kind' THEN $3::text ELSE kind END,
                        credit_code = CASE WHEN $2::text = 'credit_code' THEN nullif($3::text, '') ELSE credit_code END,
                        legal_rep = CASE WHEN $2::text = 'legal_rep' THEN nullif($3::text, '') ELSE legal_rep END,
                        contact = CASE WHEN $2::text = 'contact' THEN nullif($3::text, '') ELSE contact END,
                        phone = CASE WHEN $2::text = 'phone' THEN nullif($3::text, '') ELSE phone END,
                        email = CASE WHEN $2::text = 'email' THEN nullif($3::text, '') ELSE email END,
                        address = CASE WHEN $2::text = 'address' THEN nullif($3::text, '') ELSE address END,
                        industry = CASE WHEN $2::text = 'industry' THEN nullif($3::text, '') ELSE industry END,
                        region = CASE WHEN $2::text = 'region' THEN nullif($3::text, '') ELSE region END,
                        grade = CASE WHEN $2::text = 'grade' THEN nullif($3::text, '') ELSE grade END,
                        credit_rating = CASE WHEN $2::text = 'credit_rating' THEN nullif($3::text, '') ELSE credit_rating END,
                        credit_limit_fen = CASE WHEN $2::text = 'credit_limit'
                                                THEN round(nullif($3::text, '')::numeric * 100)::int8 ELSE credit_limit_fen END
                     WHERE customer_id = $1::int8
                    """, [customerID, field, value])
            }
            try connection.query("""
                INSERT INTO change_history (customer_id, dept_id, field, old_value, new_value, reason, requested_by,
                                            approved_by, approval_id)
                VALUES ($1::int8, $2::int8, $3::text, $4::text, $5::text, $6::text, $7::int8, $8::int8, $9::int8)
                """, [customerID, departmentID, field, old, value, reason, requesterID, approverID, approvalID])
        }
        try connection.query("UPDATE customers SET updated_at = now() WHERE id = $1::int8", [customerID])
        try Audit.record(connection, action: "customer.edit", target: "A\(approvalID)")
    }
}
