import DossierStore
import Foundation
import LocalPostgres
import Postgres
import Testing
import TestSupport

/// A BI tool against the embedded default, as deploy/BI.md tells an analyst:
/// `serve --pg-listen`, `bi-login … --password`, then Python psycopg over TCP.
@Suite struct BIConnectionTests {
    static let views = [
        "register", "customers", "items", "loans", "approvals", "penalties", "retention_due", "destructions", "users",
        "customer_composition", "dossier_counts", "penalties_monthly", "loans_monthly",
    ]

    @Test func departmentAndCompanyLoginsReadEveryViewOverTCPWithAPassword() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dossierd-bi-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try LineClient.freePort()
        let pgPort = try LineClient.freePort()
        let daemon = try DaemonProcess(arguments: [
            "serve", "--data-dir", directory, "--listen", "127.0.0.1:\(port)", "--pg-listen", "127.0.0.1:\(pgPort)", "--no-jobs",
        ])
        defer { daemon.interrupt() }
        #expect(await daemon.waitForOutput(containing: "listening"), "\(daemon.text)")
        #expect(daemon.text.contains("PostgreSQL listens on 127.0.0.1:\(pgPort)"), "\(daemon.text)")

        // Data of two departments, written past row-level security by the superuser (peer, through the socket).
        let cluster = LocalCluster(dataDirectory: directory + "/pgdata", port: pgPort)
        let admin = try PostgresConnection(conninfo: cluster.conninfo(database: "dossier"))
        _ = try ReportFixture.load(into: admin)
        admin.close()

        let password = "Bi-\(UInt32.random(in: 1_000_000...9_999_999))"
        for (login, scope) in [("bi_sh", ["--dept", "SH"]), ("bi_all", ["--company"])] {
            let command = try DaemonProcess(arguments: ["bi-login", login, "--password", password, "--data-dir", directory] + scope)
            #expect(await command.waitForExit() == 0, "\(command.text)")
        }

        func conninfo(_ login: String, _ password: String) -> String {
            "host=127.0.0.1 port=\(pgPort) dbname=dossier user=\(login) password=\(password)"
        }
        for (login, expected) in [("bi_sh", ["SH"]), ("bi_all", ["BJ", "SH"])] {
            let read = try PythonPsycopg.run(PythonPsycopg.readViewsScript, [conninfo(login, password), Self.views.joined(separator: ",")])
            #expect(read.status == 0, "\(read.output)")
            guard read.status == 0 else { continue }
            let seen = try PythonPsycopg.departments(fromJSON: read.output)
            #expect(Set(seen.keys) == Set(Self.views))
            for view in Self.views {
                let want = view == "users" && login == "bi_all" ? ["BJ", "HQ", "SH"] : expected
                #expect(seen[view] == .some(want), "report.\(view) as \(login)")
            }
        }
        let wrong = try PythonPsycopg.run(PythonPsycopg.refusedScript, [conninfo("bi_sh", password + "x")])
        #expect(wrong.status == 0 && wrong.output.contains("password authentication failed"), "\(wrong.output)")
        let superuser = try PythonPsycopg.run(PythonPsycopg.refusedScript, [conninfo("postgres", password)])
        #expect(superuser.status == 0, "the superuser must not log in over TCP: \(superuser.output)")

        // The daemon's own password lives in a file only its OS user can read; no clear password in the server log.
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/daemon.pgpass")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let log = try String(contentsOfFile: cluster.logFile, encoding: .utf8)
        #expect(!log.contains(password))

        daemon.interrupt()
        #expect(await daemon.waitForExit() == 0, "\(daemon.text)")
    }
}
