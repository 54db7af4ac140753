import Postgres

/// `RecordsFixture` plus what reports need besides: retention dates (every
/// filed dossier past retention), a legal hold on SH's internal filed dossier,
/// three service-line penalties of rep.sh in March 2026 (the deduction flag)
/// and one of rep.bj, a pending edit approval per department, an overdue and a
/// pending loan in SH, and destructions (SH confidential, BJ top secret).
public enum ReportFixture {
    public static func load(into admin: PostgresConnection) throws -> RecordsFixture {
        let fixture = try RecordsFixture.load(into: admin)
        func id(_ owner: String, _ level: String, _ status: String) -> Int64 {
            fixture.dossiers.first { $0.owner == owner && $0.level == level && $0.status == status }!.id
        }
        try admin.execute(script: """
            SET search_path = dossier, public;
            INSERT INTO dossier_retention (dossier_id, category, customer_id, filed_on, retain_until)
            SELECT d.id, d.category, c.customer_id, current_date - 2000, current_date - 10
              FROM dossiers d JOIN dossier_contents c ON c.dossier_id = d.id WHERE d.status = 'filed';
            UPDATE dossiers SET filed_at = now() - interval '2000 days' WHERE status = 'filed';
            INSERT INTO legal_holds (dossier_id, dept_id, reason, placed_by)
            SELECT \(id("rep.sh", "internal", "filed")), dept_id, '诉讼', owner_id FROM dossiers WHERE id = \(id("rep.sh", "internal", "filed"));
            INSERT INTO penalties (user_id, dept_id, rule_code, base_amount_fen, qty, multiplier, amount_fen, ordinal_in_month,
                                   staff_line, occurred_on, dossier_id)
            SELECT u.id, u.dept_id, 'LATE_FILING', 5000, 1, CASE WHEN n >= 3 THEN 2 ELSE 1 END,
                   CASE WHEN n >= 3 THEN 10000 ELSE 5000 END, n, 'service', DATE '2026-03-02' + n, NULL
              FROM users u, generate_series(1, 3) n WHERE u.login = 'rep.sh';
            INSERT INTO penalties (user_id, dept_id, rule_code, base_amount_fen, amount_fen, ordinal_in_month, staff_line, occurred_on)
            SELECT u.id, u.dept_id, 'STALE_CUSTOMER', 2000, 2000, 1, 'sales', DATE '2026-03-05' FROM users u WHERE u.login = 'rep.bj';
            INSERT INTO approvals (kind, dept_id, requester_id, dossier_id, step_count, reason, payload)
            SELECT 'edit', d.dept_id, d.owner_id, d.id, 1, '机密理由', '{"title": "机密新题名"}'
              FROM dossiers d WHERE d.id IN (\(id("rep.sh", "internal", "filed")), \(id("rep.bj", "internal", "filed")));
            INSERT INTO approval_steps (approval_id, step_no, approver_role, approver_dept_id, requester_id)
            SELECT a.id, 1, 'manager', a.dept_id, a.requester_id FROM approvals a;
            INSERT INTO loans (dossier_id, dept_id, borrower_id, purpose, mode, requested_duration, status, checked_out_at, due_at)
            SELECT d.id, d.dept_id, d.owner_id, '核对', 'takeout', interval '7 days', 'out', now() - interval '9 days', now() - interval '2 days'
              FROM dossiers d WHERE d.id = \(id("rep.sh", "secret", "filed"));
            INSERT INTO loans (dossier_id, dept_id, borrower_id, purpose, mode, requested_duration)
            SELECT d.id, d.dept_id, d.owner_id, '复印', 'takeout', interval '7 days'
              FROM dossiers d WHERE d.id = \(id("rep.sh", "internal", "filed"));
            INSERT INTO destructions (dossier_id, number, category, level, dept_id, what, reason, method, requested_by, approved_by)
            SELECT d.id, d.number, d.category, d.level, d.dept_id, '合同 ' || d.id, '到期', 'shred', d.owner_id,
                   ARRAY[(SELECT id FROM users WHERE login = 'dir')]
              FROM dossiers d WHERE d.id IN (\(id("rep.sh", "confidential", "filed")), \(id("rep.bj", "top_secret", "filed")));
            UPDATE customer_details SET grade = 'A', region = '华东', industry = '制造', credit_limit_fen = 1234567;
            """)
        return fixture
    }
}
