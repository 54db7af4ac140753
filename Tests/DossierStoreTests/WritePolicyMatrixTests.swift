import DossierStore
import Postgres
import Testing
import TestSupport

/// Who may write what (issue 10, point 2), at SQL level: the write attempts
/// of every fixture user (every role, own and other department) on every
/// dossier (every level, scope and state) and customer, made as the daemon's
/// role with that user's settings — as a bug in a command would make them —
/// compared with the rules restated here.
@Suite struct WritePolicyMatrixTests {
    typealias User = RecordsFixture.User
    typealias Dossier = RecordsFixture.Dossier

    /// The register card: its owner, the department's manager below
    /// top_secret, the department's archivist for a filed one below
    /// top_secret, directors.
    static func mayChangeRegister(_ user: User, _ dossier: Dossier) -> Bool {
        if user.role == "director" || dossier.owner == user.login { return true }
        guard dossier.dept == user.dept, dossier.level != "top_secret" else { return false }
        return user.role == "manager" || (user.role == "archivist" && dossier.status == "filed")
    }

    /// The content: the owner of a draft, the department's manager below top_secret, directors.
    static func mayChangeContent(_ user: User, _ dossier: Dossier) -> Bool {
        if user.role == "director" { return true }
        if dossier.owner == user.login { return dossier.status == "draft" }
        return user.role == "manager" && dossier.dept == user.dept && dossier.level != "top_secret"
    }

    /// Items: only the owner of a draft adds them.
    static func mayAddItem(_ user: User, _ dossier: Dossier) -> Bool {
        dossier.owner == user.login && dossier.status == "draft"
    }

    /// Runs `statement` as `user`; whether it changed a row (a refusal by
    /// policy or trigger is an error or no row).
    static func wrote(_ daemon: PostgresConnection, _ user: User, _ statement: String,
                      _ params: [(any PostgresEncodable)?] = []) -> Bool {
        do {
            return try daemon.asUser(user.id) { try $0.query(statement, params).affectedRows } > 0
        } catch let error as PostgresError {
            // 42501: a row-level security WITH CHECK or a privilege; 23514: a transition trigger.
            #expect(["42501", "23514"].contains(error.sqlState ?? ""), "\(statement) as \(user.login): \(error)")
            return false
        } catch {
            Issue.record("\(error)")
            return false
        }
    }

    @Test func everyRoleOnEveryDossierAndCustomer() throws {
        let scene = try FixtureScene.open()
        defer { scene.close() }
        let (admin, daemon, fixture) = (scene.admin, scene.daemon, scene.fixture)

        for user in fixture.users {
            for dossier in fixture.dossiers {
                let what = "\(user.login) on D\(dossier.id) (\(dossier.owner) \(dossier.level) \(dossier.status))"
                #expect(Self.wrote(daemon, user, "UPDATE dossier.dossiers SET updated_at = updated_at WHERE id = $1::int8", [dossier.id])
                        == Self.mayChangeRegister(user, dossier), "register: \(what)")
                #expect(Self.wrote(daemon, user, "UPDATE dossier.dossier_contents SET title = title || '' WHERE dossier_id = $1::int8",
                                   [dossier.id]) == Self.mayChangeContent(user, dossier), "content: \(what)")
                #expect(Self.wrote(daemon, user, "INSERT INTO dossier.items (dossier_id, item_no, title) VALUES ($1::int8, 99, 'x')",
                                   [dossier.id]) == Self.mayAddItem(user, dossier), "item: \(what)")
                // Filed only through the filing approval; destroyed only through its approval.
                #expect(!Self.wrote(daemon, user, """
                    UPDATE dossier.dossiers SET status = 'filed', number = 'ZZ-HT-2026-' || lpad(id::text, 4, '0'),
                           filed_year = 2026, filed_seq = id WHERE id = $1::int8 AND status = 'submitted'
                    """, [dossier.id]), "filing without approval: \(what)")
                #expect(!Self.wrote(daemon, user, "UPDATE dossier.dossiers SET status = 'destroyed' WHERE id = $1::int8", [dossier.id]),
                        "destruction without approval: \(what)")
                #expect(!Self.wrote(daemon, user, "DELETE FROM dossier.dossiers WHERE id = $1::int8", [dossier.id]), "delete: \(what)")
            }
            // Customers: the owner, the department's manager, directors.
            let customers = try admin.query("""
                SELECT c.id, u.login AS owner, d.code AS dept FROM dossier.customers c
                  JOIN dossier.users u ON u.id = c.owner_id JOIN dossier.departments d ON d.id = c.dept_id
                """).rows
            for customer in customers {
                let owner = try customer.decode("owner", as: String.self)
                let dept = try customer.decode("dept", as: String.self)
                let may = user.role == "director" || owner == user.login || (user.role == "manager" && dept == user.dept)
                let id = try customer.decode("id", as: Int64.self)
                #expect(Self.wrote(daemon, user, "UPDATE dossier.customers SET name = name WHERE id = $1::int8", [id]) == may,
                        "\(user.login) on customer of \(owner)")
                #expect(Self.wrote(daemon, user, "UPDATE dossier.customer_details SET phone_masked = phone_masked WHERE customer_id = $1::int8", [id])
                        == may, "\(user.login) on details of \(owner)")
            }
            // Nobody gives themselves another role or department.
            #expect(!Self.wrote(daemon, user, "UPDATE dossier.users SET role = CASE role WHEN 'director' THEN 'admin' ELSE 'director' END WHERE id = $1::int8", [user.id])
                    || user.role == "admin", "\(user.login) promotes themselves")
        }
    }

    @Test func ownershipApprovalsLoansAndPenaltiesCannotBeWrittenPastTheRules() throws {
        let scene = try FixtureScene.open()
        defer { scene.close() }
        let (admin, daemon, fixture) = (scene.admin, scene.daemon, scene.fixture)
        let rep = fixture.user("rep.sh"), other = fixture.user("rep2.sh")
        let draft = try #require(fixture.dossiers.first { $0.owner == "rep.sh" && $0.status == "draft" && $0.level == "internal" })

        // A rep cannot give a dossier away, nor create one in another's name.
        #expect(!Self.wrote(daemon, rep, "UPDATE dossier.dossiers SET owner_id = $2::int8 WHERE id = $1::int8", [draft.id, other.id]))
        #expect(!Self.wrote(daemon, rep, """
            INSERT INTO dossier.dossiers (dept_id, category, owner_id) SELECT dept_id, 'HT', $1::int8 FROM dossier.users WHERE id = $1::int8
            """, [other.id]))

        // A request: its steps are decided only by the step's approver, and it
        // is approved only by its steps — not by its requester writing the row.
        let approval = try daemon.asUser(rep.id) { connection -> Int64 in
            let id = try connection.query("""
                INSERT INTO dossier.approvals (kind, dept_id, requester_id, dossier_id, step_count)
                SELECT 'file', d.dept_id, $1::int8, d.id, 1 FROM dossier.dossiers d WHERE d.id = $2::int8 RETURNING id
                """, [rep.id, draft.id]).rows[0].decode(0, as: Int64.self)
            try connection.query("""
                INSERT INTO dossier.approval_steps (approval_id, step_no, approver_role, approver_dept_id, requester_id)
                SELECT $1::int8, 1, 'manager', dept_id, $2::int8 FROM dossier.approvals WHERE id = $1::int8
                """, [id, rep.id])
            return id
        }
        #expect(!Self.wrote(daemon, rep, "UPDATE dossier.approvals SET status = 'approved', decided_at = now() WHERE id = $1::int8", [approval]))
        let decide = "UPDATE dossier.approval_steps SET decision = 'approved', decided_by = $2::int8, decided_at = now() WHERE approval_id = $1::int8"
        #expect(!Self.wrote(daemon, rep, decide, [approval, rep.id]))
        #expect(!Self.wrote(daemon, fixture.user("mgr.bj"), decide, [approval, fixture.user("mgr.bj").id]))
        #expect(!Self.wrote(daemon, fixture.user("arc.sh"), decide, [approval, fixture.user("arc.sh").id]))
        #expect(!Self.wrote(daemon, fixture.user("mgr.sh"), decide, [approval, rep.id]))  // not in someone else's name
        #expect(Self.wrote(daemon, fixture.user("mgr.sh"), decide, [approval, fixture.user("mgr.sh").id]))

        // The borrower cannot return (or take out) their own loan.
        #expect(!Self.wrote(daemon, other, """
            UPDATE dossier.loans SET status = 'returned', returned_at = now(), returned_by = $2::int8, return_complete = true
             WHERE dossier_id = $1::int8
            """, [fixture.lentToRep2, other.id]))

        // A rep cannot waive their own penalty, nor charge one.
        try admin.query("""
            INSERT INTO dossier.penalties (user_id, dept_id, rule_code, base_amount_fen, amount_fen, ordinal_in_month, staff_line, occurred_on)
            VALUES ($1::int8, (SELECT dept_id FROM dossier.users WHERE id = $1::int8), 'ACCOUNT_SHARING', 5000, 5000, 1, 'sales', current_date)
            """, [rep.id])
        #expect(!Self.wrote(daemon, rep, "UPDATE dossier.penalties SET status = 'waived', waived_at = now() WHERE user_id = $1::int8", [rep.id]))
        #expect(!Self.wrote(daemon, rep, """
            INSERT INTO dossier.penalties (user_id, dept_id, rule_code, base_amount_fen, amount_fen, ordinal_in_month, staff_line,
                                           occurred_on, recorded_by)
            VALUES ($1::int8, (SELECT dept_id FROM dossier.users WHERE id = $1::int8), 'ACCOUNT_SHARING', 5000, 5000, 1, 'sales',
                    current_date, $2::int8)
            """, [other.id, rep.id]))
        // An access grant only from an approved request.
        #expect(!Self.wrote(daemon, fixture.user("dir"), """
            INSERT INTO dossier.access_grants (dossier_id, dept_id, grantee_id, purpose, expires_at)
            SELECT id, dept_id, $2::int8, 'x', now() + interval '1 day' FROM dossier.dossiers WHERE id = $1::int8
            """, [draft.id, other.id]))
    }
}
