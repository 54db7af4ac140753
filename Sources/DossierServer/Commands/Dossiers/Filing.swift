import DossierDomain
import DossierProtocol
import Postgres

/// 入档: the last approval of a filing assigns the archive number
/// `DEPT-CAT-YYYY-NNNN` in the approving transaction. The counter row of
/// (department, category, year) is locked by the upsert until commit, so
/// numbers are unique and gapless under concurrent approvals from any number
/// of daemons, and a rolled-back approval gives its number back.
enum Filing {
    /// Files the dossier and returns its new archive number.
    static func approve(dossierID: Int64, approval: ApprovalEngine.Pending, on connection: PostgresConnection) throws -> ArchiveNumber {
        guard let dossier = try connection.query("""
            SELECT d.dept_id, dp.code AS dept, d.category, d.status
              FROM dossiers d JOIN departments dp ON dp.id = d.dept_id
             WHERE d.id = $1::int8 FOR UPDATE OF d
            """, [dossierID]).first
        else { throw ProtocolError(.notFound, "no dossier D\(dossierID)") }
        guard try dossier.decode("status", as: String.self) == "submitted" else {
            throw ProtocolError(.conflict, "D\(dossierID) is not submitted")
        }
        let category = try dossier.decode("category", as: String.self)
        let counter = try connection.query("""
            INSERT INTO archive_counters (dept_id, category, year, last_no)
            VALUES ($1::int8, $2::text, extract(year FROM now())::int4, 1)
            ON CONFLICT (dept_id, category, year) DO UPDATE SET last_no = archive_counters.last_no + 1
            RETURNING year, last_no
            """, [try dossier.decode("dept_id", as: Int64.self), category]).firstRow()
        let year = try counter.decode("year", as: Int.self)
        let sequence = try counter.decode("last_no", as: Int.self)
        guard let department = DepartmentCode(try dossier.decode("dept", as: String.self)),
              let category = Category(rawValue: category),
              let number = ArchiveNumber(department: department, category: category, year: year, sequence: sequence)
        else { throw ProtocolError(.internal, "cannot form an archive number for D\(dossierID)") }
        try RetentionRulesLock.read(connection)
        try connection.query("""
            UPDATE dossiers
               SET status = 'filed', number = $2::text, filed_year = $3::int4, filed_seq = $4::int4,
                   filed_at = now(), updated_at = now()
             WHERE id = $1::int8
            """, [dossierID, number.description, year, sequence])
        try connection.query("SELECT dossier.retention_file($1::int8)", [dossierID])
        let charged = try PenaltyLedger.charge(candidates: missingSignatures, parameters: [dossierID], on: connection)
        let penalties = charged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        try Audit.record(connection, action: "dossier.file", target: number.description, detail: "D\(dossierID)" + penalties)
        return number
    }

    /// RULES.md: an item filed without the customer's or the handler's
    /// signature costs its owner the rule's amount per item — one penalty per
    /// rule with `qty` = the items concerned, charged at the filing approval.
    private static let missingSignatures = """
        SELECT d.owner_id AS user_id, x.rule_code, x.qty::int4 AS qty, NULL::int8 AS base_amount_fen,
               current_date AS occurred_on, now() AS period_start, now() AS period_end, NULL::text AS violation_key,
               d.id AS dossier_id, NULL::int8 AS loan_id, NULL::int8 AS customer_id, NULL::text AS note,
               NULL::int8 AS recorded_by
          FROM dossier.dossiers d
         CROSS JOIN LATERAL (
                SELECT 'MISSING_CUSTOMER_SIGNATURE'::text AS rule_code, count(*) FILTER (WHERE NOT i.signed_customer) AS qty
                  FROM dossier.items i WHERE i.dossier_id = d.id
                UNION ALL
                SELECT 'MISSING_INTERNAL_SIGNATURE'::text, count(*) FILTER (WHERE NOT i.signed_internal)
                  FROM dossier.items i WHERE i.dossier_id = d.id) x
         WHERE d.id = $1::int8 AND x.qty > 0
           AND x.rule_code IN (SELECT code FROM dossier.penalty_rules WHERE auto)
        """
}
