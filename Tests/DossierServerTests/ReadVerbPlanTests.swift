import DossierDomain
import DossierProtocol
import Foundation
import Postgres
import Testing
import TestSupport

@testable import DossierServer

/// Issue 17, point 3: the read verbs were rewritten to plan to index walks
/// (DOSSIER LIST one statement per filter, CUSTOMER FIND's lookups without a
/// second pass, APPROVAL LIST and SHOW through `approval_listing`, TODO's
/// sections only where they can hold a row). Same answers, over the protocol.
@Suite struct ReadVerbPlanTests {
    /// Each DOSSIER LIST filter on its own and together, paged, as a director
    /// (who sees every entry) and as a rep (who sees others' filed entries only).
    @Test func dossierListFiltersAloneAndTogether() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let filedRef = try await company.draft(rep)
        let filing = try await company.submit(rep, filedRef)
        #expect(try await company.client("mgr.sh").request("APPROVE \(filing)").first?.hasPrefix("OK \(filing) approved") == true)
        let quote = try await company.draft(rep, extra: "")
        let other = try await rep.request("DOSSIER NEW customer=C-2026-00001 category=BJ title=报价单")
        let otherRef = try #require(other.first?.split(separator: " ").last.map(String.init), "\(other)")
        let bj = try await company.draft(try await company.client("zhao.lei"), customer: "C-2026-00002")

        let director = try await company.client("dir")
        func refs(_ client: LineClient, _ filters: String) async throws -> [String] {
            try await client.request(filters.isEmpty ? "DOSSIER LIST" : "DOSSIER LIST \(filters)").dropLast().compactMap { line in
                line.firstMatch(of: #/^\* ref=(D\d+) /#).map { String($0.1) }
            }
        }
        #expect(try await refs(director, "") == [filedRef, quote, otherRef, bj])
        #expect(try await refs(director, "owner=li.na") == [filedRef, quote, otherRef])
        #expect(try await refs(director, "owner=zhao.lei") == [bj])
        #expect(try await refs(director, "dept=BJ") == [bj])
        #expect(try await refs(director, "dept=SH") == [filedRef, quote, otherRef])
        #expect(try await refs(director, "status=filed") == [filedRef])
        #expect(try await refs(director, "status=draft") == [quote, otherRef, bj])
        #expect(try await refs(director, "category=BJ") == [otherRef])
        #expect(try await refs(director, "customer=C-2026-00001") == [filedRef, quote, otherRef])
        #expect(try await refs(director, "customer=C-2026-00002 status=draft") == [bj])
        #expect(try await refs(director, "owner=li.na status=draft category=HT dept=SH") == [quote])
        #expect(try await refs(director, "owner=li.na dept=BJ") == [])
        #expect(try await director.request("DOSSIER LIST owner=nobody.here").last == "OK 0")

        // Paged within a filter: the cursor continues in the same index range.
        let first = try await director.request("DOSSIER LIST owner=li.na limit=2")
        #expect(first.count == 3, "\(first)")
        let cursor = String(try #require(first.last?.firstMatch(of: /^OK 2 next=(d\d+)$/)?.1, "\(first)"))
        #expect(try await refs(director, "owner=li.na limit=2 after=\(cursor)") == [otherRef])

        // A colleague sees li.na's filed entry only, whatever the filter.
        let colleague = try await company.client("wang.fang")
        #expect(try await refs(colleague, "owner=li.na") == [filedRef])
        #expect(try await refs(colleague, "status=draft") == [])
        #expect(try await refs(colleague, "dept=BJ") == [])
        #expect(try await refs(colleague, "customer=C-2026-00001") == [filedRef])
        try await server.shutdown()
    }

    /// DOSSIER LIST plans generically (its opening statement), and those plans
    /// walk an index in id order: for a rare status its (status, id) index, not
    /// the primary key filtered (which read the whole register for one page).
    /// Same answers as custom plans, paged.
    @Test func dossierListGenericPlansWalkAnIndex() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        try sql.query("""
            INSERT INTO dossier.dossiers (dept_id, category, level, scope, status, owner_id, number, filed_year, filed_seq,
                                          submitted_at, filed_at, deleted_at, purge_after)
            SELECT u.dept_id, 'HT', 'internal', 'personal', CASE WHEN g > 2998 THEN 'deleted' ELSE 'filed' END, u.id,
                   'SH-HT-2027-' || lpad(g::text, 4, '0'), 2027, g, now() - interval '2 days', now() - interval '1 day',
                   CASE WHEN g > 2998 THEN now() END, CASE WHEN g > 2998 THEN now() + interval '30 days' END
              FROM dossier.users u, generate_series(1, 3000) g WHERE u.login = 'li.na'
            """)
        try sql.query("ANALYZE dossier.dossiers")
        let deleted = try sql.query("SELECT id FROM dossier.dossiers WHERE status = 'deleted' ORDER BY id").rows
            .map { "D\(try $0.decode("id", as: Int64.self))" }

        func refs(_ answer: [String]) -> [String] {
            answer.dropLast().compactMap { $0.firstMatch(of: #/^\* ref=(D\d+) /#).map { String($0.1) } }
        }
        let owner = try await company.client("li.na")
        #expect(refs(try await owner.request("DOSSIER LIST status=deleted")) == deleted)
        let first = try await owner.request("DOSSIER LIST status=deleted limit=1")
        #expect(refs(first) == [deleted[0]] && first.last == "OK 1 next=d\(deleted[0].dropFirst())", "\(first)")
        #expect(refs(try await owner.request("DOSSIER LIST status=deleted after=d\(deleted[0].dropFirst())")) == [deleted[1]])
        #expect(refs(try await owner.request("DOSSIER LIST status=deleted category=HT")) == deleted)
        #expect(try await company.client("wang.fang").request("DOSSIER LIST status=deleted") == ["OK 0"])
        #expect(refs(try await owner.request("DOSSIER LIST status=deleted owner=li.na")) == deleted)
        let page = try await owner.request("DOSSIER LIST status=filed limit=3")
        #expect(refs(page).count == 3 && page.last?.hasPrefix("OK 3 next=d") == true, "\(page)")

        // The plans, generic as the command makes them, as the daemon's role.
        let daemon = try server.database.daemon()
        defer { daemon.close() }
        func plan(_ command: DossierList, _ arguments: String) throws -> String {
            let statement = Dossiers.listStatement(command, after: 0, limit: 50)
            return try daemon.asUser(try company.userID("li.na", sql)) { connection in
                #expect(Dossiers.listPlanningStatement(command) != nil)
                try connection.query("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
                try connection.execute(script: "PREPARE page AS \(statement.sql)")
                defer { _ = try? connection.execute(script: "DEALLOCATE page") }
                return try connection.query("EXPLAIN EXECUTE page(\(arguments))").rows
                    .map { try $0.decode(0, as: String.self) }.joined(separator: "\n")
            }
        }
        let rare = try plan(DossierList(status: .deleted), "0, 'deleted', 51")
        #expect(rare.contains("dossiers_status_id_idx"), "\(rare)")
        #expect(!rare.contains("dossiers_pkey on dossiers d") && !rare.contains("Seq Scan on dossiers"), "\(rare)")
        let all = try plan(DossierList(), "0, 51")
        #expect(all.contains("Index Scan using dossiers_pkey on dossiers d") && !all.contains("Seq Scan on dossiers"), "\(all)")
        // With a name filter as well, the plans stay custom (the planner weighs the status against the name).
        #expect(Dossiers.listPlanningStatement(DossierList(status: .deleted, owner: try #require(Login("li.na")))) == nil)
        try await server.shutdown()
    }

    /// CUSTOMER FIND's pages in number order, for rare and common needles. Written
    /// for 0092 (the next 2,000 names, then the bigram index: a page that
    /// begins in the first and ends in the second); since 0130 the bigram lists
    /// answer all of them, with the same rows.
    @Test func customerFindFromTheWalkIntoTheIndex() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let rare = [100, 1500, 2100, 2200, 2300, 2400]
        try sql.query("""
            INSERT INTO dossier.customers (number, name, owner_id, dept_id)
            SELECT 'C-2026-' || lpad(g::text, 5, '0'),
                   CASE WHEN g IN (\(rare.map(String.init).joined(separator: ", "))) THEN '稀有名号' || g ELSE '普通商行' || g END,
                   u.id, u.dept_id
              FROM generate_series(3, 2600) g, dossier.users u WHERE u.login = 'li.na'
            """)
        let rep = try await company.client("wang.fang")
        func ids(_ answer: [String]) -> [String] {
            answer.dropLast().compactMap { $0.firstMatch(of: #/^\* id=(C-\d{4}-\d+) /#).map { String($0.1) } }
        }
        let number = { (n: Int) in String(format: "C-2026-%05d", n) }
        let first = try await rep.request("CUSTOMER FIND 稀有 limit=3")
        #expect(ids(first) == [100, 1500, 2100].map(number), "\(first)")
        #expect(first.last == "OK 3 next=\(number(2100))", "\(first)")
        let second = try await rep.request("CUSTOMER FIND 稀有 limit=3 after=\(number(2100))")
        #expect(ids(second) == [2200, 2300, 2400].map(number), "\(second)")
        #expect(second.last == "OK 3", "\(second)")
        #expect(ids(try await rep.request("CUSTOMER FIND 稀有名号")) == rare.map(number))
        let common = try await rep.request("CUSTOMER FIND 商行 limit=3")
        #expect(ids(common) == [3, 4, 5].map(number) && common.last == "OK 3 next=\(number(5))", "\(common)")
        let later = try await rep.request("CUSTOMER FIND 商行 limit=2 after=\(number(2099))")
        #expect(ids(later) == [2101, 2102].map(number), "\(later)")
        try await server.shutdown()
    }

    /// CUSTOMER FIND walks the number-ordered lists of the needle's bigrams
    /// together (0130): a name holding every bigram but not the needle is not a
    /// match, matches far apart are paged in number order, and the lists follow
    /// a renamed customer.
    @Test func customerFindWalksTheBigramListsTogether() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        try sql.query("""
            INSERT INTO dossier.customers (number, name, owner_id, dept_id)
            SELECT 'C-2026-' || lpad(g::text, 5, '0'),
                   CASE WHEN g % 1000 = 7 THEN '上海华丰' || g WHEN g % 3 = 0 THEN '上海银行海华' || g ELSE '普通商行' || g END,
                   u.id, u.dept_id
              FROM generate_series(3, 3100) g, dossier.users u WHERE u.login = 'li.na'
            """)
        let rep = try await company.client("wang.fang")
        func ids(_ answer: [String]) -> [String] {
            answer.dropLast().compactMap { $0.firstMatch(of: #/^\* id=(C-\d{4}-\d+) /#).map { String($0.1) } }
        }
        let number = { (n: Int) in String(format: "C-2026-%05d", n) }
        #expect(ids(try await rep.request("CUSTOMER FIND 上海华")) == [7, 1007, 2007, 3007].map(number))
        let first = try await rep.request("CUSTOMER FIND 上海华 limit=2")
        #expect(ids(first) == [7, 1007].map(number) && first.last == "OK 2 next=\(number(1007))", "\(first)")
        let second = try await rep.request("CUSTOMER FIND 上海华 limit=2 after=\(number(1007))")
        #expect(ids(second) == [2007, 3007].map(number) && second.last == "OK 2", "\(second)")
        #expect(ids(try await rep.request("CUSTOMER FIND 海华 limit=3")) == [3, 6, 7].map(number))
        #expect(ids(try await rep.request("CUSTOMER FIND 华丰2007")) == [number(2007)])

        try sql.query("UPDATE dossier.customers SET name = '新名称甲乙' WHERE number = $1::text", [number(1007)])
        #expect(ids(try await rep.request("CUSTOMER FIND 上海华")) == [7, 2007, 3007].map(number))
        #expect(ids(try await rep.request("CUSTOMER FIND 名称甲")) == [number(1007)])
        let lists = try sql.query("""
            SELECT count(*)::int8 FROM dossier.customer_name_bigrams b JOIN dossier.customers c ON c.id = b.customer_id
             WHERE c.number = $1::text
            """, [number(1007)]).rows[0].decode(0, as: Int64.self)
        #expect(lists == 4, "新名称甲乙 has four bigrams")
        try await server.shutdown()
    }

    /// APPROVAL LIST in each of its modes, filtered and paged, and APPROVAL SHOW.
    @Test func approvalListModesAndShow() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        var requests: [String] = []
        for _ in 0..<3 {
            let ref = try await company.draft(rep)
            requests.append(try await company.submit(rep, ref))
        }
        let manager = try await company.client("mgr.sh")
        func ids(_ answer: [String]) -> [String] {
            answer.dropLast().compactMap { $0.firstMatch(of: #/^\* id=(A\d+) /#).map { String($0.1) } }
        }
        let first = try await manager.request("APPROVAL LIST limit=2")
        #expect(ids(first) == Array(requests.prefix(2)) && first.last == "OK 2 next=\(requests[1])", "\(first)")
        let second = try await manager.request("APPROVAL LIST limit=2 after=\(requests[1])")
        #expect(ids(second) == [requests[2]] && second.last == "OK 1", "\(second)")
        #expect(try await manager.request("APPROVAL LIST kind=loan") == ["OK 0"])
        #expect(ids(try await manager.request("APPROVAL LIST kind=file")) == requests)
        #expect(ids(try await rep.request("APPROVAL LIST status=mine")) == requests)
        #expect(try await rep.request("APPROVAL LIST") == ["OK 0"], "the requester decides none of their own")
        #expect(try await company.client("mgr.bj").request("APPROVAL LIST") == ["OK 0"], "another office's manager")
        _ = try await manager.request("APPROVE \(requests[0])")
        #expect(ids(try await manager.request("APPROVAL LIST")) == Array(requests.dropFirst()))
        #expect(ids(try await manager.request("APPROVAL LIST status=all")) == requests)
        let shown = try await manager.request("APPROVAL SHOW \(requests[0])")
        #expect(shown.first?.hasPrefix("* id=\(requests[0]) kind=file ") == true && shown.first?.contains("status=approved") == true,
                "\(shown)")
        #expect(try await manager.request("APPROVAL SHOW A999999") == ["ERR NOTFOUND no approval A999999"])
        try await server.shutdown()
    }

    /// The pending page walks the pending requests in id order and stops at
    /// the page (0160): a manager's first page of 4 among 30 pending requests
    /// reads a handful of request rows, not all 30 and their steps (the pick
    /// of 0121 read every pending request and sorted them); on the wire, a
    /// page of 3 ends with the cursor of its third.
    @Test func pendingApprovalsPageStopsAtThePage() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        var requests: [String] = []
        for _ in 0..<30 {
            let ref = try await company.draft(rep)
            requests.append(try await company.submit(rep, ref))
        }
        let sql = try server.database.admin()
        defer { sql.close() }
        let manager = try sql.query("SELECT id, dept_id FROM dossier.users WHERE login = 'mgr.sh'").firstRow()
        let (managerID, dept) = (try manager.decode("id", as: Int64.self), try manager.decode("dept_id", as: Int64.self))
        try sql.execute(script: "BEGIN")
        try sql.execute(script: "SET LOCAL ROLE dossier_app")
        _ = try sql.query("SELECT role FROM dossier.begin_command($1::int8)", [managerID])
        let page = try sql.query("""
            SELECT 'A' || id AS id FROM dossier.approval_listing('pending', NULL, 0, 4, $1::int8, 'manager', $2::int8)
            """, [managerID, dept]).rows.map { try $0.decode("id", as: String.self) }
        // This transaction's own reads (not yet flushed to pg_stat_user_tables).
        let fetched = try sql.query("""
            SELECT coalesce(idx_tup_fetch, 0)::int8 AS n FROM pg_stat_xact_user_tables
             WHERE schemaname = 'dossier' AND relname = 'approvals'
            """).firstRow().decode("n", as: Int64.self)
        try sql.execute(script: "ROLLBACK")
        #expect(page == Array(requests.prefix(4)))
        #expect(fetched < 30, "\(fetched) request rows read for a page of 4 among 30 pending")
        let first = try await company.client("mgr.sh").request("APPROVAL LIST limit=3")
        #expect(first.last == "OK 3 next=\(requests[2])", "\(first)")
        try await server.shutdown()
    }

    /// TODO runs a section only where it can hold a row: a rep's own work,
    /// none of the deciders' or archivists' sections; a manager's decisions;
    /// nothing for an archivist or auditor with nothing to do.
    @Test func todoSectionsFollowTheCaller() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let rep = try await company.client("li.na")
        let draft = try await company.draft(rep)
        let filed = try await company.draft(rep)
        let filing = try await company.submit(rep, filed)
        try sql.query("UPDATE dossier.customers SET updated_at = now() - interval '40 days' WHERE number = 'C-2026-00001'")
        let repList = try await rep.request("TODO")
        #expect(repList.count == 3, "\(repList)")
        #expect(repList.contains { $0.contains("what=draft target=\(draft)") }, "\(repList)")
        #expect(repList.contains { $0.contains("what=customer target=C-2026-00001") }, "\(repList)")
        let managerList = try await company.client("mgr.sh").request("TODO")
        #expect(managerList.count == 2 && managerList[0].contains("what=approval target=\(filing)"), "\(managerList)")
        #expect(try await company.client("mgr.bj").request("TODO") == ["OK 0"])
        #expect(try await company.client("arc.sh").request("TODO") == ["OK 0"])
        #expect(try await company.client("aud").request("TODO") == ["OK 0"])
        #expect(try await company.client("wang.fang").request("TODO") == ["OK 0"])
        try await server.shutdown()
    }
}
