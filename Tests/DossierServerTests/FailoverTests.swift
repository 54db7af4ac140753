import DossierStore
import Foundation
import LocalPostgres
import Postgres
import Synchronization
import Testing
import TestSupport

/// High availability on PostgreSQL's own streaming replication, as
/// `deploy/ha/README.md` lays it out, on three local instances with their own
/// ports: a primary with a synchronous standby, and a second standby cascading
/// from that one (where BI logins read). Two daemons write through a libpq
/// multi-host URL with `target_session_attrs=read-write`; the primary is
/// killed under their load and the standby promoted (`pg_ctl promote`, the
/// documented promotion); each daemon serves again by itself, and no write
/// it acknowledged is lost.
@Suite struct FailoverTests {
    final class Load: Sendable {
        let acknowledged = Mutex<[String]>([])
        let answers = Mutex<[String: Int]>([:])
        let stop = Atomic<Bool>(false)

        func note(_ answer: String) {
            let code = answer.split(separator: " ").prefix(2).joined(separator: " ")
            answers.withLock { $0[code.hasPrefix("OK") ? "OK" : code, default: 0] += 1 }
        }
        var count: Int { acknowledged.withLock { $0.count } }
    }

    static let password = "pw"

    @Test(.timeLimit(.minutes(5))) func killThePrimaryUnderWriteLoad() async throws {
        var template = Array("/tmp/dossier-ha-XXXXXX".utf8CString)
        _ = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let base = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(base, 0o755)
        // Durable commits wait for the synchronous standby's flush.
        let common = ["synchronous_commit": "on", "wal_level": "replica", "hot_standby": "on", "max_wal_senders": "10"]
        // synchronous_standby_names is set once node2 streams (ALTER SYSTEM): before,
        // every commit of the setup would wait for a standby that is not there.
        let primary = LocalCluster(dataDirectory: base + "/node1", port: 6101, settings: common, authentication: .trust)
        let standby = LocalCluster(dataDirectory: base + "/node2", port: 6102, settings: common, authentication: .trust)
        let reader = LocalCluster(dataDirectory: base + "/node3", port: 6103, settings: common, authentication: .trust)
        var daemons: [DaemonProcess] = []
        defer {
            for daemon in daemons { daemon.terminate() }
            for cluster in [reader, standby, primary] { try? cluster.stopImmediately() }
            try? FileManager.default.removeItem(atPath: base)
        }

        try primary.initializeIfNeeded()
        try primary.start()
        let postgres = try PostgresConnection(conninfo: primary.conninfo())
        try postgres.execute(script: "CREATE DATABASE dossier TEMPLATE template0 ENCODING 'UTF8'")
        postgres.close()
        let admin = try PostgresConnection(conninfo: primary.conninfo(database: "dossier"))
        defer { admin.close() }
        try Migrator().migrate(admin)
        try DatabaseLogins.enableDaemonLogin(admin, password: nil)
        _ = try Bootstrap.run(admin, adminLogin: "admin", password: Self.password)
        try admin.execute(script: """
            INSERT INTO dossier.departments (code, name) VALUES ('SH', '上海'), ('BJ', '北京');
            INSERT INTO dossier.users (login, name, dept_id, role, line, password_hash)
            SELECT v.login, v.login, d.id, 'rep', 'sales', dossier.hash_password('pw')
              FROM (VALUES ('li.na', 'SH'), ('zhao.lei', 'BJ')) v(login, dept) JOIN dossier.departments d ON d.code = v.dept;
            INSERT INTO dossier.customers (number, name, owner_id, dept_id)
            SELECT 'C-2026-0000' || v.n, v.name, u.id, u.dept_id
              FROM (VALUES (1, '华信贸易', 'li.na'), (2, '京华科技', 'zhao.lei')) v(n, name, login) JOIN dossier.users u ON u.login = v.login;
            INSERT INTO dossier.customer_details (customer_id) SELECT id FROM dossier.customers;
            """)
        let biLogin = "bi_sh_ha"
        try DatabaseLogins.createBILogin(admin, name: biLogin, password: nil, departmentCode: "SH")

        // node2 streams from node1 (synchronously), node3 from node2.
        try standby.initializeAsStandby(of: primary.conninfo(), applicationName: "node2")
        try standby.start()
        try reader.initializeAsStandby(of: standby.conninfo(), applicationName: "node3")
        try reader.start()
        // One statement each: ALTER SYSTEM refuses to run in a (multi-statement) transaction.
        try admin.execute(script: "ALTER SYSTEM SET synchronous_standby_names = 'node2'")
        try admin.execute(script: "SELECT pg_reload_conf()")
        #expect(try await pollUntil(60) {
            try admin.query("SELECT count(*)::int8 FROM pg_stat_replication WHERE application_name = 'node2' AND sync_state = 'sync'")
                .rows[0].decode(0, as: Int.self) == 1
        })

        // Two daemons on the multi-host URL: libpq keeps the node that accepts writes.
        let url = "host=\(primary.socketDirectory),\(standby.socketDirectory),\(reader.socketDirectory) port=6101,6102,6103 "
            + "user=dossier_app dbname=dossier target_session_attrs=read-write connect_timeout=2"
        var ports: [Int] = []
        for _ in 0..<2 {
            let port = try LineClient.freePort()
            daemons.append(try DaemonProcess(arguments: [
                "serve", "--database-url", url, "--listen", "127.0.0.1:\(port)", "--pool-size", "3", "--no-jobs",
            ]))
            ports.append(port)
        }
        for daemon in daemons { #expect(await daemon.waitForOutput(containing: "listening"), "\(daemon.text)") }

        // Write load: on each daemon one writer per office, creating drafts.
        let load = Load()
        var writers: [Task<Void, any Error>] = []
        for port in ports {
            for (login, customer) in [("li.na", "C-2026-00001"), ("zhao.lei", "C-2026-00002")] {
                writers.append(Task { try await Self.write(port: port, login: login, customer: customer, load: load) })
            }
        }
        #expect(try await pollUntil(60) { load.count >= 40 }, "\(load.answers.withLock { $0 })")

        // A BI login reads the cascading standby: its department only.
        #expect(try await pollUntil(30) { try Self.replayed(reader, upTo: load.acknowledged.withLock { $0 }) })
        try Self.checkBI(biLogin, on: reader, superuserOn: reader)

        // Kill the primary under load; promote the synchronous standby.
        try primary.stopImmediately()
        let acknowledgedAtCrash = load.count
        try standby.promote()
        let promoted = ContinuousClock.now
        // Each daemon serves writes again by itself.
        for port in ports {
            let back = try await Self.firstWrite(port: port, login: "li.na")
            let elapsed = ContinuousClock.now - promoted
            print("failover: daemon on port \(port) wrote again (\(back)) \(elapsed) after the promotion")
            #expect(elapsed <= .seconds(30))
        }
        #expect(try await pollUntil(60) { load.count >= acknowledgedAtCrash + 20 }, "\(load.answers.withLock { $0 })")
        load.stop.store(true, ordering: .relaxed)
        for writer in writers { try await writer.value }
        for daemon in daemons { #expect(daemon.process.isRunning, "\(daemon.text)") }

        // No acknowledged write is lost: every one is on the promoted node.
        let acknowledged = load.acknowledged.withLock { $0 }
        let promotedAdmin = try PostgresConnection(conninfo: standby.conninfo(database: "dossier"))
        defer { promotedAdmin.close() }
        let present = Set(try promotedAdmin.query("SELECT 'D' || id FROM dossier.dossiers").rows.map { try $0.decode(0, as: String.self) })
        #expect(Set(acknowledged).isSubset(of: present), "lost: \(Set(acknowledged).subtracting(present).sorted())")
        let answers = load.answers.withLock { $0 }
        print("failover: \(acknowledged.count) writes acknowledged (\(acknowledgedAtCrash) before the crash), answers \(answers)")
        #expect(answers.keys.allSatisfy { $0 == "OK" || $0 == "ERR UNAVAILABLE" }, "\(answers)")

        // The cascading standby follows the new primary; RLS holds there too.
        #expect(try await pollUntil(60) { try Self.replayed(reader, upTo: acknowledged) })
        try Self.checkBI(biLogin, on: reader, superuserOn: reader)
    }

    /// Writes drafts until told to stop; a broken connection is opened again.
    static func write(port: Int, login: String, customer: String, load: Load) async throws {
        var client: LineClient?
        for attempt in 0..<5000 where !load.stop.load(ordering: .relaxed) {
            do {
                if client == nil { client = try await signedIn(port: port, login: login) }
                let answer = try await client!.request("DOSSIER NEW customer=\(customer) category=HT title=\"高可用 \(attempt)\"")
                guard let line = answer.first else { continue }
                load.note(line)
                if line.hasPrefix("OK D") { load.acknowledged.withLock { $0.append(String(line.dropFirst(3))) } }
                else { try await Task.sleep(for: .milliseconds(100)) }
            } catch {
                client = nil
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// The first draft a daemon accepts; polls while it answers UNAVAILABLE.
    static func firstWrite(port: Int, login: String) async throws -> String {
        for _ in 0..<600 {
            if let client = try? await signedIn(port: port, login: login),
               let answer = try? await client.request("DOSSIER NEW customer=C-2026-00001 category=BJ title=恢复"),
               let line = answer.first, line.hasPrefix("OK D") {
                return String(line.dropFirst(3))
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw LineClient.Failure(description: "daemon on \(port) does not write again")
    }

    static func signedIn(port: Int, login: String) async throws -> LineClient {
        let client = try await LineClient(port: port, timeoutSeconds: 20)
        _ = try await client.readLine()
        let answer = try await client.request("AUTH \(login) \(password)")
        guard answer.first?.hasPrefix("OK") == true else { throw LineClient.Failure(description: "AUTH \(login): \(answer)") }
        return client
    }

    /// Whether `cluster` has replayed the drafts `refs`.
    static func replayed(_ cluster: LocalCluster, upTo refs: [String]) throws -> Bool {
        let connection = try PostgresConnection(conninfo: cluster.conninfo(database: "dossier"))
        defer { connection.close() }
        let ids = refs.compactMap { Int64($0.dropFirst()) }
        let present = try connection.query("SELECT count(*)::int8 FROM dossier.dossiers WHERE id = ANY ($1::int8[])",
                                           ["{" + ids.map(String.init).joined(separator: ",") + "}"]).rows[0].decode(0, as: Int.self)
        return present == ids.count
    }

    /// The BI login, on a read-only standby, sees SH's dossiers and only those.
    static func checkBI(_ login: String, on cluster: LocalCluster, superuserOn: LocalCluster) throws {
        let bi = try PostgresConnection(conninfo: cluster.conninfo(user: login, database: "dossier"))
        defer { bi.close() }
        #expect(try bi.query("SELECT pg_is_in_recovery()").rows[0].decode(0, as: Bool.self))
        let codes = try bi.query("SELECT DISTINCT p.code FROM dossier.dossiers d JOIN dossier.departments p ON p.id = d.dept_id")
            .rows.map { try $0.decode(0, as: String.self) }
        #expect(codes == ["SH"])
        let superuser = try PostgresConnection(conninfo: superuserOn.conninfo(database: "dossier"))
        defer { superuser.close() }
        // The standby replays while writers write: the BI count lies between the
        // superuser's counts read just before and just after it.
        func counts() throws -> (sh: Int, bj: Int) {
            let row = try superuser.query("""
                SELECT count(*) FILTER (WHERE p.code = 'SH')::int8, count(*) FILTER (WHERE p.code = 'BJ')::int8
                  FROM dossier.dossiers d JOIN dossier.departments p ON p.id = d.dept_id
                """).rows[0]
            return (try row.decode(0, as: Int.self), try row.decode(1, as: Int.self))
        }
        let before = try counts()
        let visible = try bi.query("SELECT count(*)::int8 FROM dossier.dossiers").rows[0].decode(0, as: Int.self)
        let after = try counts()
        #expect(before.sh <= visible && visible <= after.sh && before.bj > 0, "BI sees \(visible); SH has \(before.sh)…\(after.sh), BJ \(before.bj)")
    }
}
