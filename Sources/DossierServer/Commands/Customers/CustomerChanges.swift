import DossierDomain
import DossierPrivacy
import DossierProtocol
import Postgres

/// `CUSTOMER SET`: a customer's owner changes its data only with the
/// department manager's approval (a manager's own customers: a director's);
/// the department's manager or a director changes it on their own authority.
/// Either way every changed field leaves a history row (old, new, reason,
/// requester, approver, time) and counts as the customer's monthly refresh.
enum CustomerChanges {
    static func request(_ command: CustomerSet, actor: Actor, personalData: PersonalData?, on connection: PostgresConnection) throws
        -> Response {
        let customer = try CustomerRecord.forChange(command.customer, actor: actor, toDo: "changes", on: connection)
        let (id, department) = (customer.id, customer.departmentID)
        let isOwner = customer.isOwned(by: actor)
        let manages = customer.isManaged(by: actor)
        try checkKind(command.changes, customerID: id, on: connection)
        // The payload waits in `approvals` (readable by BI logins): sensitive
        // values go into it sealed with the customer's key.
        var sealing: (PersonalData, PersonalData.CustomerKey)?
        if command.changes.contains(where: { SensitiveField(name: $0.field) != nil }) {
            guard let personalData else { throw PersonalData.noKeyFile }
            sealing = (personalData, try personalData.keyForWriting(customerID: id, on: connection))
        }
        let payload = try ChangeSet.payload(command.changes) { change in
            guard let (personalData, key) = sealing, let field = SensitiveField(name: change.field) else { return change.wireValue }
            return try personalData.sealText(change.wireValue, field, with: key)
        }
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
                  requesterID: actor.userID, approverID: actor.userID, approvalID: approval.value, personalData: personalData,
                  on: connection)
        return .ok("\(approval) applied")
    }

    /// An identity card number belongs to a person customer only.
    private static func checkKind(_ changes: [CustomerChange], customerID: Int64, on connection: PostgresConnection) throws {
        var kind: CustomerKind?
        var givesNumber = false
        var clearsNumber = false
        for change in changes {
            switch change {
            case .kind(let new): kind = new
            case .idNumber(let number): if number == nil { clearsNumber = true } else { givesNumber = true }
            default: break
            }
        }
        guard kind != nil || givesNumber else { return }
        let current = try connection.query("""
            SELECT kind, id_number_sealed IS NOT NULL AS has_number FROM customer_details WHERE customer_id = $1::int8
            """, [customerID]).firstRow()
        let finalKind = try kind?.rawValue ?? current.decode("kind", as: String.self)
        let hasNumber = try givesNumber || (!clearsNumber && current.decode("has_number", as: Bool.self))
        if finalKind != CustomerKind.person.rawValue && hasNumber {
            throw ProtocolError.invalid("id_number", "only a person customer (kind=person) has an identity card number")
        }
    }

    /// The last approval of an owner's request.
    static func apply(_ approval: ApprovalEngine.Pending, approver: Actor, personalData: PersonalData?,
                      on connection: PostgresConnection) throws {
        guard let customerID = approval.customerID else { throw ProtocolError(.internal, "customer edit without a customer") }
        try apply(customerID: customerID, departmentID: approval.departmentID, payload: approval.payload,
                  reason: approval.reason ?? "", requesterID: approval.requesterID, approverID: approver.userID,
                  approvalID: approval.id, personalData: personalData, on: connection)
    }

    private static func apply(
        customerID: Int64, departmentID: Int64, payload: String, reason: String, requesterID: Int64, approverID: Int64,
        approvalID: Int64, personalData: PersonalData?, on connection: PostgresConnection
    ) throws {
        let current = try connection.query("""
            SELECT c.name, u.login AS owner, d.kind, coalesce(d.credit_code, '') AS credit_code,
                   coalesce(d.legal_rep, '') AS legal_rep, coalesce(d.contact, '') AS contact,
                   coalesce(d.industry, '') AS industry,
                   coalesce(d.region, '') AS region, coalesce(d.grade, '') AS grade,
                   coalesce(d.credit_rating, '') AS credit_rating,
                   coalesce((d.credit_limit_fen / 100)::text || '.' || lpad((d.credit_limit_fen % 100)::text, 2, '0'), '')
                       AS credit_limit,
                   coalesce(to_char(d.consent_on, 'YYYY-MM-DD'), '') AS consent_on,
                   coalesce(d.consent_scope, '') AS consent_scope, coalesce(d.consent_ref, '') AS consent_ref,
                   d.id_number_sealed, d.phone_sealed, d.email_sealed, d.address_sealed, d.bank_account_sealed
              FROM customers c JOIN users u ON u.id = c.owner_id JOIN customer_details d ON d.customer_id = c.id
             WHERE c.id = $1::int8
            """, [customerID]).firstRow()
        let changes = try connection.query("SELECT key, value FROM jsonb_each_text($1::jsonb -> 'changes')", [payload]).rows
        // Sensitive fields: opened and sealed with the customer's key, held
        // FOR SHARE so that `keys rotate` does not re-wrap it meanwhile.
        var sealing: (PersonalData, PersonalData.CustomerKey, [SensitiveField: String])?
        if try changes.contains(where: { SensitiveField(name: try $0.decode("key", as: String.self)) != nil }) {
            guard let personalData else { throw PersonalData.noKeyFile }
            let key = try personalData.keyForWriting(customerID: customerID, on: connection)
            sealing = (personalData, key, try CustomerFields.open(current, key: key, personalData: personalData))
        }
        for change in changes {
            let field = try change.decode("key", as: String.self)
            let value = try change.decode("value", as: String.self)
            if let sensitive = SensitiveField(name: field), let (personalData, key, clear) = sealing {
                // A payload from before 0070 holds clear text: openText passes it through.
                let new: String
                do { new = try key.dataKey.openText(value, field: sensitive, customer: key.number) } catch let failure as CustomerDataKey.Failure {
                    throw PersonalData.unavailable(failure)
                }
                try CustomerFields.write(new.isEmpty ? nil : new, sensitive, customerID: customerID, key: key,
                                         personalData: personalData, on: connection)
                try connection.query("""
                    INSERT INTO change_history (customer_id, dept_id, field, old_value, new_value, reason, requested_by,
                                                approved_by, approval_id)
                    VALUES ($1::int8, $2::int8, $3::text, $4::text, $5::text, $6::text, $7::int8, $8::int8, $9::int8)
                    """, [customerID, departmentID, field, try personalData.sealText(clear[sensitive] ?? "", sensitive, with: key),
                          try personalData.sealText(new, sensitive, with: key), reason, requesterID, approverID, approvalID])
                continue
            }
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
                        industry = CASE WHEN $2::text = 'industry' THEN nullif($3::text, '') ELSE industry END,
                        region = CASE WHEN $2::text = 'region' THEN nullif($3::text, '') ELSE region END,
                        grade = CASE WHEN $2::text = 'grade' THEN nullif($3::text, '') ELSE grade END,
                        credit_rating = CASE WHEN $2::text = 'credit_rating' THEN nullif($3::text, '') ELSE credit_rating END,
                        credit_limit_fen = CASE WHEN $2::text = 'credit_limit'
                                                THEN round(nullif($3::text, '')::numeric * 100)::int8 ELSE credit_limit_fen END,
                        consent_on = CASE WHEN $2::text = 'consent_on' THEN nullif($3::text, '')::date ELSE consent_on END,
                        consent_scope = CASE WHEN $2::text = 'consent_scope' THEN nullif($3::text, '') ELSE consent_scope END,
                        consent_ref = CASE WHEN $2::text = 'consent_ref' THEN nullif($3::text, '') ELSE consent_ref END
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
