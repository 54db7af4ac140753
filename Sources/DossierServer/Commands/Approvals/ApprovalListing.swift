import DossierDomain
import DossierPrivacy
import DossierProtocol
import Postgres

/// `APPROVAL LIST`, `APPROVAL SHOW`: what waits for the caller, what they
/// asked for, what each request would do (reason and details, so that it can
/// be decided from the listing alone), what stands in its way, and every
/// decision taken.
enum ApprovalListing {
    /// The common columns of a listing row but its details.
    private static let select = """
        SELECT a.id, a.kind, a.status, a.current_step, a.step_count, a.customer_id,
               CASE WHEN a.kind IN ('loan', 'extend') THEN 'L' || a.loan_id
                    WHEN a.kind = 'waive' THEN 'P' || a.penalty_id
                    WHEN a.kind = 'customer_edit' THEN c.number
                    ELSE coalesce(d.number, 'D' || a.dossier_id) END AS target,
               u.login AS requester,
               CASE WHEN a.status = 'pending' THEN s.approver_role || coalesce(':' || sd.code, '') ELSE '' END AS waiting_for,
               dossier.wire_time(a.created_at) AS created,
               coalesce(a.reason, '') AS reason,
               coalesce(a.closed_reason, (dossier.approval_obstacle(a.id)).reason, '') AS obstacle
          FROM approvals a
          JOIN users u ON u.id = a.requester_id
          LEFT JOIN approval_steps s ON s.approval_id = a.id AND s.step_no = a.current_step
          LEFT JOIN departments sd ON sd.id = s.approver_dept_id
          LEFT JOIN dossiers d ON d.id = a.dossier_id
          LEFT JOIN customers c ON c.id = a.customer_id
        """

    /// The rows `select … <tail>` finds (`tail`: conditions, order, limit),
    /// each with its details (`field: old → new; …`). The details of the whole
    /// page come from one call of `approval_details_of` (0082): called per row,
    /// the policies of the tables it reads were set up again for every row,
    /// ~0.5 ms each (issue 17).
    private static func page(_ tail: String, _ params: [(any PostgresEncodable)?], on connection: PostgresConnection) throws
        -> [PostgresRow] {
        try connection.query("""
            WITH page AS MATERIALIZED (\(select) \(tail)),
                 details AS (
                     SELECT x.approval_id,
                            string_agg(x.field || ': ' || CASE WHEN x.old <> '' THEN x.old || ' → ' ELSE '' END || x.new,
                                       '; ' ORDER BY x.ord, x.field) AS details
                       FROM dossier.approval_details_of(ARRAY(SELECT p.id FROM page p)) x
                      GROUP BY x.approval_id)
            SELECT page.*, coalesce(details.details, '') AS details
              FROM page LEFT JOIN details ON details.approval_id = page.id
             ORDER BY page.id
            """, params).rows
    }

    /// Rows per page unless `limit=` says otherwise. A page's cost follows its
    /// rows (each with its details and obstacle), so a manager with thousands
    /// of waiting requests pages through them (issue 17).
    static let defaultLimit = 50

    static func list(_ command: ApprovalList, actor: Actor, personalData: PersonalData?, on connection: PostgresConnection) throws
        -> Response {
        let limit = command.limit ?? defaultLimit
        var after: Int64 = 0
        if let cursor = command.after {
            guard cursor.rawValue.hasPrefix("A"), let value = Int64(cursor.rawValue.dropFirst()) else {
                throw ProtocolError.invalid("after", "not a cursor returned by APPROVAL LIST")
            }
            after = value
        }
        // One statement per filter, each with plain conditions: a single
        // statement choosing its condition by a parameter (CASE $2 …) planned
        // generically to a walk of every approval (issue 17).
        let condition: String
        var params: [(any PostgresEncodable)?] = [command.kind?.rawValue, after, limit + 1]
        switch command.status ?? .pending {
        case .pending:
            condition = """
                a.status = 'pending' AND a.requester_id <> $4::int8 AND s.approver_role = $5::text
                AND (s.approver_dept_id IS NULL OR s.approver_dept_id = $6::int8)
                """
            params += [actor.userID, actor.role.rawValue, actor.departmentID]
        case .mine:
            condition = "a.requester_id = $4::int8"
            params.append(actor.userID)
        case .all:
            condition = "true"
        }
        let rows = try page("""
             WHERE ($1::text IS NULL OR a.kind = $1::text) AND a.id > $2::int8 AND \(condition)
             ORDER BY a.id
             LIMIT $3::int4
            """, params, on: connection)
        let opener = SealedValues(personalData: personalData, connection: connection)
        let shown = try rows.prefix(limit).map { try row($0, opener) }
        if rows.count > limit, let last = rows.prefix(limit).last {
            return .rows(shown, suffix: "next=A\(try last.decode("id", as: Int64.self))")
        }
        return .rows(shown)
    }

    static func show(_ approval: ApprovalID, personalData: PersonalData?, on connection: PostgresConnection) throws -> Response {
        guard let head = try page("WHERE a.id = $1::int8", [approval.value], on: connection).first else {
            throw ProtocolError(.notFound, "no approval \(approval)")
        }
        let opener = SealedValues(personalData: personalData, connection: connection)
        var rows = [try row(head, opener)]
        let customerID = try head.decodeIfPresent("customer_id", as: Int64.self)
        // What the request asks for, one row per field (`approval_details`, 0030, 0082).
        for detail in try connection.query(
            "SELECT field, old, new FROM dossier.approval_details($1::int8) ORDER BY ord, field", [approval.value]).rows {
            var out = Row()
            out.append("field", try detail.decode("field", as: String?.self) ?? "")
            var old = try opener.reveal(try detail.decode("old", as: String?.self) ?? "", customerID: customerID)
            // A pending change of a sealed field: the current value is only in its sealed column.
            if old.isEmpty, try head.decode("status", as: String.self) == "pending", let customerID,
               let field = SensitiveField(name: try detail.decode("field", as: String?.self) ?? "") {
                old = try opener.current(field, customerID: customerID)
            }
            out.append("old", old)
            out.append("new", try opener.reveal(try detail.decode("new", as: String?.self) ?? "", customerID: customerID))
            rows.append(out)
        }
        let steps = try connection.query("""
            SELECT s.step_no, s.approver_role, coalesce(sd.code, '') AS dept, coalesce(s.decision, '') AS decision,
                   coalesce(u.login, '') AS decided_by, coalesce(s.comment, '') AS comment,
                   coalesce(dossier.wire_time(s.decided_at), '') AS at
              FROM approval_steps s
              LEFT JOIN departments sd ON sd.id = s.approver_dept_id
              LEFT JOIN users u ON u.id = s.decided_by
             WHERE s.approval_id = $1::int8 ORDER BY s.step_no
            """, [approval.value]).rows
        for step in steps {
            var out = Row()
            out.append("step", String(try step.decode("step_no", as: Int.self)))
            out.append("approver", try step.decode("approver_role", as: String.self))
            out.append("dept", try step.decode("dept", as: String.self))
            out.append("decision", try step.decode("decision", as: String.self))
            out.append("by", try step.decode("decided_by", as: String.self))
            out.append("comment", try step.decode("comment", as: String.self))
            out.append("at", try step.decode("at", as: String.self))
            rows.append(out)
        }
        return .rows(rows)
    }

    private static func row(_ row: PostgresRow, _ opener: SealedValues) throws -> Row {
        var out = Row()
        out.append("id", "A\(try row.decode("id", as: Int64.self))")
        out.append("kind", try row.decode("kind", as: String.self))
        out.append("target", try row.decode("target", as: String?.self) ?? "")
        out.append("requester", try row.decode("requester", as: String.self))
        out.append("status", try row.decode("status", as: String.self))
        out.append("step", "\(try row.decode("current_step", as: Int.self))/\(try row.decode("step_count", as: Int.self))")
        out.append("waiting_for", try row.decode("waiting_for", as: String?.self) ?? "")
        out.append("created", try row.decode("created", as: String.self))
        out.append("reason", try row.decode("reason", as: String.self))
        out.append("details", try opener.reveal(try row.decode("details", as: String.self),
                                                customerID: try row.decodeIfPresent("customer_id", as: Int64.self)))
        // Why it cannot be carried out: the recorded reason of a request the
        // system closed, or what stands in its way now (empty: nothing).
        out.append("obstacle", try row.decode("obstacle", as: String.self))
        return out
    }
}

/// A customer edit's sensitive values wait sealed in the payload and history
/// (`sealed:…`): shown opened to whoever the listing shows them to (the
/// requester, and those who see the customer's details — `approval_details`
/// decides), each customer's key read once.
private final class SealedValues {
    let personalData: PersonalData?
    let connection: PostgresConnection
    private var keys: [Int64: PersonalData.CustomerKey?] = [:]

    init(personalData: PersonalData?, connection: PostgresConnection) {
        self.personalData = personalData
        self.connection = connection
    }

    func reveal(_ text: String, customerID: Int64?) throws -> String {
        guard let personalData, let customerID, text.contains(SealedText.prefix) else { return text }
        return personalData.reveal(text, with: try key(customerID, personalData))
    }

    /// The customer's current value of a sealed field ("" when none or not visible).
    func current(_ field: SensitiveField, customerID: Int64) throws -> String {
        guard let personalData, let key = try key(customerID, personalData),
              let sealed = try connection.query("SELECT dossier.customer_field_sealed($1::int8, $2::text) AS sealed",
                                                [customerID, field.name]).first?.decodeIfPresent("sealed", as: [UInt8].self)
        else { return "" }
        return try personalData.open(sealed, field, with: key)
    }

    private func key(_ customerID: Int64, _ personalData: PersonalData) throws -> PersonalData.CustomerKey? {
        if let known = keys[customerID] { return known }
        let key = try personalData.key(customerID: customerID, lock: false, on: connection)
        keys[customerID] = .some(key)
        return key
    }
}
