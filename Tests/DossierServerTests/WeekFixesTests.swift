import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 11, points 4, 5 and 8: extensions that do not stack, the sweep's dry
/// run, answers that say what happened, `restorable_until=`, the monthly
/// refresh by `CUSTOMER CONFIRM`, and a destruction register that says what.
@Suite struct WeekFixesTests {
    /// A loan of `number` to zhao.lei, approved and checked out; returns its id.
    func loanOut(_ company: Company, _ number: String, days: Int) async throws -> String {
        let loan = try company.pendingID(try await company.client("zhao.lei").request("LOAN REQUEST \(number) purpose=核对 days=\(days)"))
        let manager = try await company.client("mgr.sh")
        let approval = try #require(try await manager.request("APPROVAL LIST kind=loan").first?.firstMatch(of: /id=(A\d+)/)?.1)
        #expect(try await manager.request("APPROVE \(approval)") == ["OK \(approval) approved"])
        #expect(try await company.client("arc.sh").request("LOAN CHECKOUT \(loan)").first?.hasPrefix("OK \(loan) due=") == true)
        return loan
    }

    func dueShift(_ sql: PostgresConnection, since before: String) throws -> String {
        try sql.query("SELECT (due_at - $1::timestamptz)::text FROM dossier.loans", [before]).rows[0].decode(0, as: String.self)
    }

    @Test func extensionsDoNotStackAndNeverPassTheLevelsLimit() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let number = try await company.filedNumber(try await company.client("li.na"))
        let loan = try await loanOut(company, number, days: 7)
        let borrower = try await company.client("zhao.lei")
        let manager = try await company.client("mgr.sh")
        let due = try sql.query("SELECT due_at::text FROM dossier.loans").rows[0].decode(0, as: String.self)

        let first = try company.pendingID(try await borrower.request("LOAN EXTEND \(loan) days=3 reason=审计未完"))
        #expect(try await borrower.request("LOAN EXTEND \(loan) days=7 reason=再延") == ["ERR CONFLICT \(loan) already has a pending extension \(first)"])
        #expect(try await manager.request("APPROVE \(first)") == ["OK \(first) approved"])
        #expect(try dueShift(sql, since: due) == "3 days")

        // The next one counts from the due time it extends; if the level's limit
        // shrinks meanwhile, the approval stops at the limit from there.
        let second = try company.pendingID(try await borrower.request("LOAN EXTEND \(loan) days=7 reason=再延"))
        try sql.query("UPDATE dossier.loan_rules SET max_duration = interval '5 days' WHERE level = 'internal'")
        #expect(try await manager.request("APPROVE \(second)") == ["OK \(second) approved"])
        #expect(try dueShift(sql, since: due) == "8 days")
        #expect(try await borrower.request("LOAN EXTEND \(loan) days=6 reason=x") == ["ERR ARGS invalid days: at most 5 days for this level"])
        try await server.shutdown()
    }

    @Test func approveOfAFilingNamesTheNumberAndALossNamesItsPenalty() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let ref = try await company.draft(rep)
        let approval = try await company.submit(rep, ref)
        #expect(try await company.client("mgr.sh").request("APPROVE \(approval)") == ["OK \(approval) approved number=SH-HT-\(company.year)-0001"])
        let loan = try await loanOut(company, "SH-HT-\(company.year)-0001", days: 2)
        #expect(try await company.client("arc.sh").request("LOAN RETURN \(loan) complete=no note=缺页") == ["OK \(loan) penalty=P1 amount=20.00"])
        #expect(try await company.client("zhao.lei").request("PENALTY LIST").first?.contains("id=P1 user=zhao.lei rule=LOST_OR_DAMAGED ref=\(loan)") == true)
        try await server.shutdown()
    }

    @Test func aDeletedDossierSaysUntilWhenItCanBeRestored() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let ref = try await company.draft(rep)
        #expect(try await rep.request("DOSSIER SHOW \(ref)").first?.contains("restorable_until") == false)
        let deletion = try company.pendingID(try await rep.request("DOSSIER DELETE \(ref) reason=重复"))
        #expect(try await company.client("mgr.sh").request("APPROVE \(deletion)") == ["OK \(deletion) approved"])
        let until = try server.database.admin().query("""
            SELECT dossier.wire_time(purge_after) FROM dossier.dossiers WHERE id = $1::int8
            """, [Int64(ref.dropFirst())!]).rows[0].decode(0, as: String.self)
        let shown = try await rep.request("DOSSIER SHOW \(ref)")
        #expect(shown.first?.contains(" status=deleted ") == true)
        #expect(shown.first?.hasSuffix(" hold=no restorable_until=\(until)") == true, "\(shown)")
        #expect(try await rep.request("DOSSIER RESTORE \(ref)") == ["OK"])
        #expect(try await rep.request("DOSSIER SHOW \(ref)").first?.contains("restorable_until") == false)
        try await server.shutdown()
    }

    @Test func sweepDryRunSaysWhatItWouldChargeAndWritesNothing() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let number = try await company.filedNumber(try await company.client("li.na"))
        _ = try await loanOut(company, number, days: 1)
        try sql.query("UPDATE dossier.loans SET due_at = now() - interval '1 hour'")
        try sql.query("UPDATE dossier.customers SET updated_at = now() - interval '40 days' WHERE number = 'C-2026-00001'")
        func written() throws -> [Int] {
            try ["penalties", "penalty_month_counts"].map {
                try sql.query("SELECT count(*)::int8 FROM dossier.\($0)").rows[0].decode(0, as: Int.self)
            } + [try sql.query("SELECT count(*)::int8 FROM dossier.audit_log WHERE action = 'penalty.sweep'").rows[0].decode(0, as: Int.self)]
        }
        let auditor = try await company.client("aud")
        let preview = try await auditor.request("PENALTY SWEEP dry_run=yes")
        let final = try #require(preview.last?.firstMatch(of: /^OK 2 charged=(\d+) amount=(\d+\.\d\d)$/), "\(preview)")
        #expect(preview[0].hasPrefix("* dept=BJ user=zhao.lei rule=OVERDUE_LOAN count="), "\(preview)")
        #expect(preview[1].hasPrefix("* dept=SH user=li.na rule=STALE_CUSTOMER count="), "\(preview)")
        #expect(try written() == [0, 0, 0])

        // The real sweep charges exactly that, and a dry run afterwards finds nothing.
        #expect(try await auditor.request("PENALTY SWEEP") == ["OK \(final.1)"])
        let total = try sql.query("SELECT dossier.wire_money(sum(amount_fen)::int8) FROM dossier.penalties").rows[0].decode(0, as: String.self)
        #expect(total == String(final.2))
        #expect(try await auditor.request("PENALTY SWEEP dry_run=yes") == ["OK 0 charged=0 amount=0.00"])
        try await server.shutdown()
    }

    @Test func theOwnerConfirmsTheMonthlyRefreshWithoutApproval() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let rep = try await company.client("li.na")
        try sql.query("UPDATE dossier.customers SET updated_at = now() - interval '40 days'")
        #expect(try await company.client("aud").request("PENALTY SWEEP dry_run=yes").filter { $0.contains("rule=STALE_CUSTOMER") }.count == 2)

        // Only the owner confirms; the manager changes data with CUSTOMER SET.
        #expect(try await company.client("mgr.sh").request("CUSTOMER CONFIRM C-2026-00001") == ["ERR DENIED only the customer's owner confirms C-2026-00001"])
        #expect(try await company.client("zhao.lei").request("CUSTOMER CONFIRM C-2026-00001").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await rep.request("CUSTOMER CONFIRM C-2026-99999") == ["ERR NOTFOUND no customer C-2026-99999"])
        let refreshBy = try sql.query("SELECT to_char(now() + interval '1 month', 'YYYY-MM-DD')").rows[0].decode(0, as: String.self)
        #expect(try await rep.request("CUSTOMER CONFIRM C-2026-00001 note=电话核实无变化") == ["OK C-2026-00001 refresh_by=\(refreshBy)"])
        #expect(try await rep.request("TODO") == ["OK 0"])

        // It is logged (history and audit) and resets STALE_CUSTOMER; zhao.lei's
        // customer, refreshed through an approved change, is no longer stale either.
        let history = try sql.query("""
            SELECT h.field, h.reason, u.login, h.approved_by IS NULL AS unapproved FROM dossier.change_history h
              JOIN dossier.users u ON u.id = h.requested_by
            """).rows
        #expect(history.count == 1)
        #expect(try history.first?.decode("field", as: String.self) == "confirmed")
        #expect(try history.first?.decode("reason", as: String.self) == "电话核实无变化")
        #expect(try history.first?.decode("unapproved", as: Bool.self) == true)
        #expect(try sql.query("SELECT purpose FROM dossier.audit_log WHERE action = 'customer.confirm' AND target = 'C-2026-00001'")
            .rows.map { try $0.decode(0, as: String.self) } == ["电话核实无变化"])
        let change = try company.pendingID(try await company.client("zhao.lei").request("CUSTOMER SET C-2026-00002 phone=13700000000 reason=更新"))
        #expect(try await company.client("mgr.bj").request("APPROVE \(change)") == ["OK \(change) approved"])
        #expect(try await company.client("aud").request("PENALTY SWEEP dry_run=yes") == ["OK 0 charged=0 amount=0.00"])

        // A closed customer needs no refresh.
        #expect(try await rep.request("CUSTOMER CLOSE C-2026-00001 date=2026-06-30 reason=终止合作") == ["OK"])
        #expect(try await rep.request("CUSTOMER CONFIRM C-2026-00001") == ["ERR CONFLICT C-2026-00001 is closed; it needs no refresh"])
        try await server.shutdown()
    }

    @Test func theDestructionRegisterSaysWhatWasDestroyed() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let rep = try await company.client("li.na")
        let archivist = try await company.client("arc.sh")
        let manager = try await company.client("mgr.sh")
        let companyDossier = try await company.filedNumber(rep)
        let personDossier = try await company.filedNumber(rep)
        try sql.query("UPDATE dossier.dossier_retention SET retain_until = current_date - 1")
        for number in [companyDossier, personDossier] {
            if number == personDossier {
                // The same customer, now recorded as a person: its name is personal data.
                try sql.query("UPDATE dossier.customer_details SET kind = 'person'")
            }
            let destroy = try company.pendingID(try await archivist.request("DESTROY \(number) reason=保管期满"))
            #expect(try await manager.request("APPROVE \(destroy)") == ["OK \(destroy) approved"])
        }
        let register = try await company.client("aud").request("DESTRUCTION LIST")
        #expect(register.count == 3, "\(register)")
        #expect(register[0].contains("number=\(companyDossier) ") && register[0].contains(
            "what=\"\(companyDossier) HT internal filed \(company.year): 2026 年度框架合同, customer C-2026-00001 华信贸易, 1 item(s)\""), "\(register)")
        #expect(register[0].hasSuffix(" title=\"2026 年度框架合同\" customer=C-2026-00001 customer_name=华信贸易 items=1"), "\(register)")
        #expect(register[1].contains("what=\"\(personDossier) HT internal filed \(company.year): 2026 年度框架合同, customer C-2026-00001, 1 item(s)\""), "\(register)")
        #expect(register[1].hasSuffix(" title=\"2026 年度框架合同\" customer=C-2026-00001 customer_name=\"\" items=1"), "\(register)")
        try await server.shutdown()
    }
}
