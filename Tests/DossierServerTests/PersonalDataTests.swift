import DossierDomain
import DossierPrivacy
@testable import DossierServer
import DossierStore
import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 16: customers' sensitive fields are sealed at rest, masked for BI,
/// clear over the protocol for those who see the details; found whole by
/// blind index; consent of person customers.
@Suite struct PersonalDataTests {
    static func idNumber(_ first17: String) -> String {
        first17 + String(ResidentIDNumber.checkCharacter(for: first17) ?? "?")
    }

    static let id = idNumber("31010119800101123")
    static let phone = "13812345678"
    static let secrets = [id, phone, "wang.xm@example.com", "世纪大道", "6222021234567890123"]

    /// A person customer with every sensitive field, created by li.na (SH); its number.
    static func createPerson(_ client: LineClient, name: String = "王小明") async throws -> String {
        let answer = try await client.request("""
            CUSTOMER NEW name=\(name) kind=person id_number=\(id) phone=\(phone) email=wang.xm@example.com \
            address=上海市浦东新区世纪大道100号 bank_account=6222021234567890123 consent_on=2026-11-01 \
            consent_scope=客户档案管理 consent_ref="同意书 2026-001"
            """)
        return try #require(answer.first?.firstMatch(of: /^OK (C-\d{4}-\d{5,})$/).map { String($0.1) }, "\(answer)")
    }

    /// Every row of every table of the schema, as text (bytea as hex): what a
    /// superuser reading the tables sees.
    static func everything(_ sql: PostgresConnection) throws -> String {
        var text = ""
        for table in try sql.query("SELECT tablename FROM pg_tables WHERE schemaname = 'dossier' ORDER BY 1").rows {
            let name = try table.decode("tablename", as: String.self)
            text += try sql.query("SELECT coalesce(string_agg(t::text, E'\\n'), '') AS rows FROM dossier.\(name) t").rows[0]
                .decode("rows", as: String.self)
        }
        return text
    }

    @Test func sealedAtRestMaskedForBIClearForThoseWhoSeeTheDetails() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let number = try await Self.createPerson(rep)

        let shown = try await rep.request("CUSTOMER SHOW \(number)")
        #expect(shown.last == "OK 1")
        let line = shown.first ?? ""
        for expected in ["kind=person", "id_number=\(Self.id)", "phone=\(Self.phone)", "email=wang.xm@example.com",
                         "address=上海市浦东新区世纪大道100号", "bank_account=6222021234567890123", "consent=given",
                         "consent_on=2026-11-01", "consent_scope=客户档案管理", "consent_ref=\"同意书 2026-001\""] {
            #expect(line.contains(expected), "\(expected) in \(line)")
        }
        #expect(try await company.client("mgr.sh").request("CUSTOMER SHOW \(number)").first == line)

        // Another department's rep sees the directory entry only.
        let other = try await company.client("zhao.lei").request("CUSTOMER SHOW \(number)")
        #expect(other.last == "OK 1" && !other[0].contains(Self.phone) && !other[0].contains("phone="), "\(other)")

        // A superuser reading every table finds no clear value, only masks.
        let sql = try server.database.admin()
        defer { sql.close() }
        let all = try Self.everything(sql)
        for secret in Self.secrets { #expect(!all.contains(secret), "\(secret) is stored in clear") }
        #expect(all.contains("138****5678"))
        let row = try sql.query("""
            SELECT d.legacy_phone IS NULL AND d.legacy_email IS NULL AND d.legacy_address IS NULL AS no_clear,
                   d.phone_sealed IS NOT NULL AND d.phone_index IS NOT NULL AND d.id_number_index IS NOT NULL AS sealed,
                   k.key_id
              FROM dossier.customer_details d JOIN dossier.customers c ON c.id = d.customer_id
              JOIN dossier.customer_keys k ON k.customer_id = c.id WHERE c.number = $1::text
            """, [number]).firstRow()
        #expect(try row.decode("no_clear", as: Bool.self) && row.decode("sealed", as: Bool.self))
        #expect(try row.decode("key_id", as: String.self) == "ktest-a")

        // A BI login: masked forms in the report view, no ciphertext, no keys.
        let biName = "bi_pd_\(getpid())"
        try DatabaseLogins.createBILogin(sql, name: biName, password: nil, departmentCode: "SH")
        let bi = try PostgresConnection(conninfo: server.database.conninfo(user: biName))
        defer { bi.close() }
        let report = try bi.query("""
            SELECT phone, email, address, id_number, bank_account, consent_on::text AS consent_on
              FROM report.customers WHERE customer = $1::text
            """, [number]).firstRow()
        #expect(try report.decode("phone", as: String.self) == "138****5678")
        #expect(try report.decode("email", as: String.self) == "w***@example.com")
        #expect(try report.decode("address", as: String.self) == "上海市浦东新****")
        #expect(try report.decode("id_number", as: String.self) == PersonalDataMask.mask(Self.id, as: .idNumber))
        #expect(try report.decode("id_number", as: String.self).hasPrefix("310") == true)
        #expect(try report.decode("bank_account", as: String.self) == "****0123")
        #expect(try report.decode("consent_on", as: String.self) == "2026-11-01")
        for forbidden in ["SELECT phone_sealed FROM dossier.customer_details", "SELECT id_number_index FROM dossier.customer_details",
                          "SELECT wrapped FROM dossier.customer_keys", "SELECT * FROM dossier.data_keys"] {
            #expect(throws: PostgresError.self, "\(forbidden)") { try bi.query(forbidden) }
        }
        try await server.shutdown()
    }

    @Test func exactLookupByBlindIndexNoSubstring() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let number = try await Self.createPerson(rep)
        func found(_ client: LineClient, _ needle: String) async throws -> Bool {
            try await client.request("CUSTOMER FIND \(needle)").contains { $0.contains("id=\(number)") }
        }
        #expect(try await found(rep, Self.phone))
        #expect(try await found(rep, "\"138 1234 5678\""), "the phone is normalized")
        #expect(try await found(rep, "138-1234-5678"))
        #expect(try await found(rep, Self.id))
        #expect(try await found(rep, Self.id.lowercased()))
        #expect(try await !found(rep, "1381234567"), "no substring search on sealed fields")
        #expect(try await !found(rep, "13812345679"))
        #expect(try await found(company.client("mgr.sh"), Self.phone))
        #expect(try await found(company.client("dir"), Self.id))
        // Those who may not see the details find nothing by them.
        #expect(try await !found(company.client("zhao.lei"), Self.phone))
        #expect(try await !found(company.client("aud"), Self.phone))
        // The name still finds it, by substring, for everyone.
        #expect(try await found(company.client("zhao.lei"), "小明"))
        try await server.shutdown()
    }

    /// A phone typed in an input method's full-width mode is kept as typed and
    /// found by its ASCII digits, and the other way round (an index written
    /// before the folding: `PrivacyTests.blindIndexes`).
    @Test func fullWidthPhonesAreFoundByTheirDigits() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let wide = try #require(try await rep.request("CUSTOMER NEW name=北京　全角公司 kind=company phone=１３８－００１３－８０００").first)
        let number = String(wide.dropFirst(3))
        #expect(try await rep.request("CUSTOMER SHOW \(number)").first?.contains("phone=１３８－００１３－８０００") == true)
        for needle in ["13800138000", "138-0013-8000", "１３８００１３８０００"] {
            #expect(try await rep.request("CUSTOMER FIND \(needle)").contains { $0.contains("id=\(number)") }, "\(needle)")
        }
        let ascii = try #require(try await rep.request("CUSTOMER NEW name=上海半角公司 kind=company phone=13900139000").first)
        #expect(try await rep.request("CUSTOMER FIND １３９００１３９０００").contains { $0.contains("id=\(ascii.dropFirst(3))") })
        try await server.shutdown()
    }

    @Test func consentIsRecordedAndTheRuleRefusesOrFlags() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let admin = try await server.admin()
        #expect(try await admin.request("COMPANY SHOW").first?.contains("consent_rule=flag") == true)

        // flag (default): created, shown as missing.
        let flagged = try #require(try await rep.request("CUSTOMER NEW name=李四 kind=person phone=13900001111").first)
        let flaggedNumber = String(flagged.dropFirst(3))
        #expect(try await rep.request("CUSTOMER SHOW \(flaggedNumber)").first?.contains("consent=missing consent_on=\"\"") == true)

        #expect(try await admin.request("COMPANY SET consent_rule=refuse") == ["OK consent_rule=refuse"])
        #expect(try await admin.request("COMPANY SHOW").first?.contains("consent_rule=refuse") == true)
        let refusal = "ERR CONFLICT a person customer needs the customer's written consent (consent_on=) under the company's consent rule refuse"
        #expect(try await rep.request("CUSTOMER NEW name=张三 kind=person phone=13900002222") == [refusal])
        #expect(try await rep.request("CUSTOMER NEW name=张三 kind=person phone=13900002222 consent_on=2026-11-30 consent_scope=营销")
            .first?.hasPrefix("OK C-") == true)
        #expect(try await rep.request("CUSTOMER NEW name=某某有限公司 kind=company").first?.hasPrefix("OK C-") == true)
        _ = try await rep.request("LANG zh-CN")
        #expect(try await rep.request("CUSTOMER NEW name=张三丰 kind=person")
            == ["ERR CONFLICT 按公司的同意规则（refuse），个人客户须有客户的书面同意（consent_on=）"])
        _ = try await rep.request("LANG en")

        // The identity card number: persons only, GB 11643 check character.
        #expect(try await rep.request("CUSTOMER NEW name=某公司 kind=company id_number=\(Self.id)")
            == ["ERR ARGS invalid id_number: only a person customer (kind=person) has an identity card number"])
        let wrong = String(Self.id.dropLast()) + (Self.id.hasSuffix("1") ? "2" : "1")
        #expect(try await rep.request("CUSTOMER NEW name=赵六 kind=person consent_on=2026-11-30 id_number=\(wrong)").first?
            .hasPrefix("ERR ARGS invalid id_number: expected an 18-character identity card number") == true)

        // Recorded later through CUSTOMER SET (the manager applies it at once).
        #expect(try await company.client("mgr.sh").request(
            "CUSTOMER SET \(flaggedNumber) consent_on=2026-11-30 consent_ref=D1/1 id_number=\(Self.id) reason=补签同意书")
            .first?.hasSuffix(" applied") == true)
        let after = try #require(try await rep.request("CUSTOMER SHOW \(flaggedNumber)").first)
        #expect(after.contains("id_number=\(Self.id) consent=given consent_on=2026-11-30"), "\(after)")
        #expect(after.contains("consent_ref=D1/1"), "\(after)")
        #expect(try await company.client("mgr.sh").request("CUSTOMER SET \(flaggedNumber) kind=company reason=改为企业")
            == ["ERR ARGS invalid id_number: only a person customer (kind=person) has an identity card number"])
        try await server.shutdown()
    }

    @Test func changesWaitSealedAndHistoryOpensForThoseWhoSee() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        let rep = try await company.client("li.na")
        let manager = try await company.client("mgr.sh")
        let number = try await Self.createPerson(rep)
        let answer = try await rep.request("CUSTOMER SET \(number) phone=13900001111 bank_account=\"\" grade=A reason=客户更换电话")
        let approval = try #require(answer.first?.firstMatch(of: /^OK (A\d+) pending$/).map { String($0.1) }, "\(answer)")
        let sql = try server.database.admin()
        defer { sql.close() }
        #expect(!(try Self.everything(sql)).contains("13900001111"), "the pending payload is sealed")
        let shown = try await manager.request("APPROVAL SHOW \(approval)")
        #expect(shown.contains { $0.contains("field=phone old=\(Self.phone) new=13900001111") }, "\(shown)")
        #expect(shown.first?.contains("phone: 13900001111") == true, "\(shown)")
        #expect(try await manager.request("APPROVE \(approval)") == ["OK \(approval) approved"])

        let after = try #require(try await rep.request("CUSTOMER SHOW \(number)").first)
        #expect(after.contains("phone=13900001111") && after.contains("bank_account=\"\"") && after.contains("grade=A"), "\(after)")
        let history = try await rep.request("CUSTOMER HISTORY \(number)")
        #expect(history.contains { $0.contains("field=phone old=\(Self.phone) new=13900001111") }, "\(history)")
        #expect(history.contains { $0.contains("field=bank_account old=6222021234567890123 new=\"\"") }, "\(history)")
        let all = try Self.everything(sql)
        for secret in Self.secrets + ["13900001111"] { #expect(!all.contains(secret), "\(secret) is stored in clear") }
        #expect(try await rep.request("CUSTOMER FIND 13900001111").contains { $0.contains("id=\(number)") })
        #expect(try await !rep.request("CUSTOMER FIND \(Self.phone)").contains { $0.contains("id=\(number)") })
        try await server.shutdown()
    }

    /// Migration 0070 on a database with clear text: the daemon seals it
    /// (`keys encrypt-existing`, also run by `migrate --data-key-file` and `serve`).
    @Test func existingClearTextIsSealedByTheDaemonAfterTheMigration() async throws {
        let (name, conninfo) = try MigratedDatabase.createEmpty()
        let admin = try PostgresConnection(conninfo: conninfo)
        defer { admin.close() }
        try admin.execute(script: "ALTER DATABASE \(name) SET search_path = dossier, public")
        try Migrator(migrations: MigrationCatalog.all.filter { $0.version < 70 }).migrate(admin)
        _ = try Bootstrap.run(admin, adminLogin: "admin", password: "admin-pw")
        try admin.query("""
            INSERT INTO dossier.customers (number, name, owner_id, dept_id)
            SELECT 'C-2025-0000' || n, '老客户' || n, u.id, u.dept_id FROM generate_series(1, 3) n, dossier.users u WHERE u.login = 'admin'
            """)
        try admin.query("""
            INSERT INTO dossier.customer_details (customer_id, phone, email, address)
            SELECT id, '1380000000' || substr(number, 12), 'old' || substr(number, 12) || '@example.com', '北京市海淀区中关村大街1号'
              FROM dossier.customers
            """)
        try Migrator().migrate(admin)
        try DatabaseLogins.enableDaemonLogin(admin, password: nil)
        #expect(try admin.query("SELECT dossier.plaintext_left() AS left").firstRow().decode("left", as: Bool.self))

        let cluster = try TestPostgres.shared()
        let daemon = try PostgresConnection(conninfo: cluster.conninfo(user: DatabaseLogins.daemonRole, database: name))
        defer { daemon.close() }
        try DataKeyMaintenance.verify(TestDataKeys.first, on: daemon)
        #expect(try DataKeyMaintenance.encryptExisting(.test, batch: 2, on: daemon) == 3)
        #expect(try DataKeyMaintenance.encryptExisting(.test, on: daemon) == 0, "nothing left the second time")
        #expect(try !admin.query("SELECT dossier.plaintext_left() AS left").firstRow().decode("left", as: Bool.self))

        let database = MigratedDatabase(name: name, cluster: cluster)
        let server = try await TestServer(database: database)
        let client = try await server.admin()
        _ = try await client.request("USER ADD boss name=老板 dept=HQ role=director password=pw")
        let director = try await server.client(as: "boss", password: "pw")
        let shown = try #require(try await director.request("CUSTOMER SHOW C-2025-00002").first)
        #expect(shown.contains("phone=13800000002 email=old2@example.com address=北京市海淀区中关村大街1号"), "\(shown)")
        #expect(try await director.request("CUSTOMER FIND 13800000003").contains { $0.contains("id=C-2025-00003") })
        let all = try Self.everything(admin)
        #expect(!all.contains("13800000002") && !all.contains("old2@example.com") && !all.contains("中关村"))
        #expect(try admin.query("SELECT count(*)::int8 AS n FROM dossier.customer_keys").firstRow().decode("n", as: Int.self) == 3)
        try await server.shutdown()
    }

    /// A key file that is not the database's is refused: a known id with
    /// another key, or data keys wrapped under a key the file lacks.
    @Test func aDaemonRefusesAKeyFileThatIsNotTheDatabases() async throws {
        let server = try await TestServer()
        let company = try await Company(server)
        _ = try await Self.createPerson(try await company.client("li.na"))
        let daemon = try server.database.daemon()
        defer { daemon.close() }
        try DataKeyMaintenance.verify(TestDataKeys.first, on: daemon)
        let impostor = try DataKeyring(text: "ktest-a " + Data(repeating: 0x33, count: 32).base64EncodedString())
        #expect(throws: DataKeyMaintenance.Refusal.self) { try DataKeyMaintenance.verify(impostor, on: daemon) }
        let stranger = try DataKeyring(text: "kother " + Data(repeating: 0x44, count: 32).base64EncodedString())
        let refusal = #expect(throws: DataKeyMaintenance.Refusal.self) { try DataKeyMaintenance.verify(stranger, on: daemon) }
        #expect(refusal?.description.contains("wrapped with key ktest-a, which the data key file lacks") == true, "\(String(describing: refusal))")
        try await server.shutdown()
    }
}
