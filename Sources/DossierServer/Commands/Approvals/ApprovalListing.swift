import DossierDomain
import DossierPrivacy
import DossierProtocol
import Postgres

/// `APPROVAL LIST`, `APPROVAL SHOW`: what waits for the caller, what they
/// asked for, what each request would do (reason and details, so that it can
/// be decided from the listing alone), what stands in its way, and every
/// decision taken.
enum ApprovalListing {
    /// The rows of a listing (`dossier.approval_listing`, migration 0094),
    /// each with its details (`field: old → new; …`, from one call of
    /// `approval_details_of` per page) and what stands in its way. A function
    /// so that its plans are made once per session: as a prepared statement,
    /// the join of six tables under their policies was planned afresh at each
    /// of its first five executions on every pooled connection (issue 17).
    /// `mode`: `pending`, `mine`, `all`, or `one` (the request `after`).
    private static func page(mode: String, kind: String? = nil, after: Int64, limit: Int = 1, actor: Actor? = nil,
                             on connection: PostgresConnection) throws -> [PostgresRow] {
        try connection.query("""
            SELECT l.id, l.kind, l.status, l.current_step, l.step_count, l.customer_id, l.target, l.requester,
                   l.waiting_for, l.created, l.reason, l.obstacle, l.details
              FROM dossier.approval_listing($1::text, $2::text, $3::int8, $4::int4, $5::int8, $6::text, $7::int8) l
            """, [mode, kind, after, limit, actor?.userID, actor?.role.rawValue, actor?.departmentID]).rows
    }

    /// Rows per page unless `limit=` says otherwise. A page's cost follows its
    /// rows (each with its details and obstacle), so a manager with thousands
    /// of waiting requests pages through them (issue 17).
    static let defaultLimit = 50

    /// What stands in a request's way is a sentence for the caller, in their `LANG`.
    private static let sentences: Set<String> = ["obstacle"]

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
        let mode: String
        switch command.status ?? .pending {
        case .pending: mode = "pending"
        case .mine: mode = "mine"
        case .all: mode = "all"
        }
        let rows = try page(mode: mode, kind: command.kind?.rawValue, after: after, limit: limit + 1, actor: actor,
                            on: connection)
        let opener = SealedValues(personalData: personalData, connection: connection)
        let shown = try rows.prefix(limit).map { try row($0, opener) }
        if rows.count > limit, let last = rows.prefix(limit).last {
            return Response.rows(shown, suffix: "next=A\(try last.decode("id", as: Int64.self))").sentences(sentences)
        }
        return Response.rows(shown).sentences(sentences)
    }

    static func show(_ approval: ApprovalID, personalData: PersonalData?, on connection: PostgresConnection) throws -> Response {
        guard let head = try page(mode: "one", after: approval.value, on: connection).first else {
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
        return Response.rows(rows).sentences(sentences)
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
