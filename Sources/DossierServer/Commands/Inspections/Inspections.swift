import DossierDomain
import DossierProtocol
import Postgres

/// 盘点: the archivist's periodic inspection of the department's cabinets
/// (seed 000 第十条, seed 002). One open inspection per department; checks
/// record what was found; closing reports what was not checked, missing,
/// damaged or moved. Migration 0061, policies in policies.sql.
enum Inspections {
    /// `INSPECTION OPEN [location=]`: `OK I<n> expected=<count>`.
    static func open(_ command: InspectionOpen, actor: Actor, on connection: PostgresConnection) throws -> Response {
        if let current = try openInspection(actor, on: connection) {
            throw ProtocolError(.conflict, "I\(current) is open; close it first")
        }
        let id = try connection.query("""
            INSERT INTO inspections (dept_id, location_prefix, opened_by) VALUES ($1::int8, $2::text, $3::int8) RETURNING id
            """, [actor.departmentID, command.location, actor.userID]).firstRow().decode("id", as: Int64.self)
        let expected = try connection.query(
            "SELECT count(*)::int8 AS n FROM dossier.inspection_expected($1::int8)", [id]).firstRow().decode("n", as: Int64.self)
        try Audit.record(connection, action: "inspection.open", target: "I\(id)",
                         detail: "dept=\(actor.departmentCode)" + (command.location.map { " location=\($0)" } ?? ""))
        return .ok("I\(id) expected=\(expected)")
    }

    /// The department's open inspection, locked, or nil.
    private static func openInspection(_ actor: Actor, on connection: PostgresConnection) throws -> Int64? {
        try connection.query("""
            SELECT id FROM inspections WHERE dept_id = $1::int8 AND status = 'open' FOR UPDATE
            """, [actor.departmentID]).first?.decode("id", as: Int64.self)
    }

    private static func requireOpen(_ actor: Actor, on connection: PostgresConnection) throws -> Int64 {
        guard let id = try openInspection(actor, on: connection) else {
            throw ProtocolError(.conflict, "no open inspection of \(actor.departmentCode); INSPECTION OPEN first")
        }
        return id
    }

    /// `INSPECTION CHECK <ref> present|missing|damaged [location=] [note=]`:
    /// `OK <ref> <finding>`; a dossier present somewhere else than the
    /// register says is `moved`, and the register is corrected (with history).
    static func check(_ command: InspectionCheck, actor: Actor, on connection: PostgresConnection) throws -> Response {
        let inspection = try requireOpen(actor, on: connection)
        let dossier = try DossierRecord.find(command.ref, on: connection)
        guard dossier.departmentID == actor.departmentID else {
            throw ProtocolError(.conflict, "\(dossier.reference) belongs to \(dossier.departmentCode), not to this inspection")
        }
        guard dossier.status == "filed" || dossier.status == "on_loan" else {
            throw ProtocolError(.conflict, "\(dossier.reference) is \(dossier.status); only filed dossiers are on the shelf")
        }
        // Out on loan it is absent as expected: "missing" would start the loss
        // path against a borrower who has it lawfully.
        if dossier.status == "on_loan" && command.result == .missing {
            throw ProtocolError(.conflict, "\(dossier.reference) is on loan: its absence is expected (LOAN LIST names the borrower)")
        }
        guard dossier.contentVisible, let content = try connection.query(
            "SELECT location FROM dossier_contents WHERE dossier_id = $1::int8", [dossier.id]).first
        else { throw ProtocolError(.denied, "\(dossier.reference): only the register entry is visible to you") }
        if command.location != nil && command.result != .present {
            throw ProtocolError.invalid("location", "only for a dossier found present")
        }
        // The register location before this inspection touched it (a re-check keeps the first).
        let earlier = try connection.query("""
            SELECT register_location FROM inspection_checks WHERE inspection_id = $1::int8 AND dossier_id = $2::int8
            """, [inspection, dossier.id]).first
        let registerLocation = try earlier.map { try $0.decodeIfPresent("register_location", as: String.self) }
            ?? (try content.decodeIfPresent("location", as: String.self))
        let current = try content.decodeIfPresent("location", as: String.self)
        if let found = command.location, found != (current ?? "") {
            try connection.query("SELECT dossier.inspection_relocate($1::int8, $2::int8, $3::text)",
                                 [inspection, dossier.id, found])
        }
        try connection.query("""
            INSERT INTO inspection_checks (inspection_id, dossier_id, dept_id, result, register_location, found_location,
                                           note, checked_by)
            VALUES ($1::int8, $2::int8, $3::int8, $4::text, $5::text, $6::text, $7::text, $8::int8)
            ON CONFLICT (inspection_id, dossier_id) DO UPDATE
               SET result = EXCLUDED.result, found_location = EXCLUDED.found_location, note = EXCLUDED.note,
                   checked_by = EXCLUDED.checked_by, checked_at = now()
            """, [inspection, dossier.id, actor.departmentID, command.result.rawValue, registerLocation, command.location,
                  command.note, actor.userID])
        let finding = InspectionFinding.of(result: command.result, onLoan: dossier.status == "on_loan",
                                           registerLocation: registerLocation, foundLocation: command.location)
        try Audit.record(connection, action: "inspection.check", target: dossier.reference, purpose: command.note ?? "",
                         detail: "I\(inspection) \(finding.rawValue)")
        var answer = "\(dossier.reference) \(finding.rawValue)"
        if finding == .moved, let found = command.location { answer += " from=\(quoted(registerLocation ?? "")) to=\(quoted(found))" }
        if dossier.status == "on_loan" { answer += " on_loan=yes" }
        return .ok(answer)
    }

    private static func quoted(_ text: String) -> String {
        TextResponseEncoder.needsQuoting(text) ? TextResponseEncoder.quote(text) : text
    }

    /// `INSPECTION CLOSE`: rows of the findings that need attention (not
    /// present where the register says), `OK <n> I<k> expected=… present=…
    /// moved=… missing=… damaged=… on_loan=… unchecked=…`.
    static func close(actor: Actor, on connection: PostgresConnection) throws -> Response {
        let inspection = try requireOpen(actor, on: connection)
        try connection.query("""
            UPDATE inspections SET status = 'closed', closed_by = $2::int8, closed_at = now() WHERE id = $1::int8
            """, [inspection, actor.userID])
        let rows = try reportRows(inspection, on: connection)
        var counts: [InspectionFinding: Int] = [:]
        for row in rows { if let finding = row["finding"].flatMap(InspectionFinding.init(rawValue:)) { counts[finding, default: 0] += 1 } }
        let summary = "I\(inspection) checked=\(rows.count - (counts[.unchecked] ?? 0) - (counts[.onLoan] ?? 0)) "
            + InspectionFinding.allCases.map { "\($0.rawValue)=\(counts[$0] ?? 0)" }.joined(separator: " ")
        try Audit.record(connection, action: "inspection.close", target: "I\(inspection)", detail: summary)
        return .rows(rows.filter { $0["finding"] != InspectionFinding.present.rawValue }, suffix: summary)
    }

    /// The report's rows, by finding then reference.
    private static func reportRows(_ inspection: Int64, on connection: PostgresConnection) throws -> [Row] {
        try connection.query("""
            SELECT coalesce(d.number, 'D' || d.id) AS ref, r.finding, coalesce(r.register_location, '') AS register_location,
                   coalesce(r.found_location, '') AS found_location, coalesce(h.login, '') AS holder,
                   coalesce(c.login, '') AS checked_by, coalesce(r.note, '') AS note
              FROM dossier.inspection_report($1::int8) r
              JOIN dossiers d ON d.id = r.dossier_id
              LEFT JOIN users h ON h.id = r.holder_id
              LEFT JOIN users c ON c.id = r.checked_by
             ORDER BY array_position(ARRAY['missing', 'damaged', 'moved', 'unchecked', 'on_loan', 'present'], r.finding),
                      coalesce(d.number, 'D' || d.id)
            """, [inspection]).rows.map {
            try Row($0, columns: ["ref", "finding", "register_location", "found_location", "holder", "checked_by", "note"])
        }
    }

    /// `INSPECTION LIST [status=] [limit=]`.
    static func list(_ command: InspectionList, on connection: PostgresConnection) throws -> Response {
        let rows = try connection.query("""
            SELECT 'I' || i.id AS inspection, dp.code AS dept, coalesce(i.location_prefix, '') AS location, i.status,
                   dossier.wire_time(i.opened_at) AS opened, o.login AS opened_by,
                   coalesce(dossier.wire_time(i.closed_at), '') AS closed,
                   (SELECT count(*) FROM inspection_checks c WHERE c.inspection_id = i.id)::text AS checked,
                   (SELECT count(*) FROM inspection_checks c WHERE c.inspection_id = i.id AND c.result = 'missing')::text AS missing,
                   (SELECT count(*) FROM inspection_checks c WHERE c.inspection_id = i.id AND c.result = 'damaged')::text AS damaged
              FROM inspections i JOIN departments dp ON dp.id = i.dept_id JOIN users o ON o.id = i.opened_by
             WHERE ($1::text IS NULL OR i.status = $1::text)
             ORDER BY i.id DESC LIMIT $2::int4
            """, [command.status?.rawValue, command.limit ?? 100]).rows
        return .rows(try rows.map {
            try Row($0, columns: ["inspection", "dept", "location", "status", "opened", "opened_by", "closed", "checked",
                                  "missing", "damaged"])
        })
    }

    /// `INSPECTION SHOW I<n>`: one row per dossier expected or checked, by finding.
    static func show(_ id: InspectionID, on connection: PostgresConnection) throws -> Response {
        guard try connection.query("SELECT 1 FROM inspections WHERE id = $1::int8", [id.value]).first != nil else {
            throw ProtocolError(.notFound, "no inspection \(id)")
        }
        return .rows(try reportRows(id.value, on: connection))
    }
}
