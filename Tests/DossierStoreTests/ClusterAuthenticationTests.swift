import DossierStore
import Foundation
import LocalPostgres
import Postgres
import Testing
import TestSupport

/// A cluster with `.password` authentication, as the embedded default runs:
/// the superuser only by peer through the socket, everyone else with a
/// SCRAM-SHA-256 password, TCP when asked for, and no clear password in the log.
@Suite struct ClusterAuthenticationTests {
    static func passwordCluster() throws -> LocalCluster {
        let port = try LineClient.freePort()
        return try TestPostgres.makeScratchCluster(
            authentication: .password, listenAddress: "127.0.0.1", port: port,
            settings: ["log_statement": "all"])
    }

    @Test func superuserByPeerOthersByPasswordAndNoClearPasswordInTheLog() throws {
        let cluster = try Self.passwordCluster()
        let password = "Bi-clear-\(UInt32.random(in: 1_000_000...9_999_999))"
        // The superuser through the socket, by peer.
        let postgres = try PostgresConnection(conninfo: cluster.conninfo())
        try postgres.execute(script: "CREATE DATABASE auth_test TEMPLATE template0 ENCODING 'UTF8'")
        postgres.close()
        let admin = try PostgresConnection(conninfo: cluster.conninfo(database: "auth_test"))
        defer { admin.close() }
        try Migrator().migrate(admin)
        try admin.execute(script: "INSERT INTO dossier.departments (code, name) VALUES ('SH', '上海')")
        try DatabaseLogins.createBILogin(admin, name: "bi_tcp", password: password, departmentCode: "SH")
        try DatabaseLogins.enableDaemonLogin(admin, password: password + "-daemon")

        // A BI login over TCP with its password reads the views.
        let tcp = try #require(cluster.tcpConninfo(user: "bi_tcp", database: "auth_test", password: password))
        let bi = try PostgresConnection(conninfo: tcp)
        #expect(try bi.query("SELECT count(*) FROM report.register").rows[0].decode(0, as: Int.self) == 0)
        #expect(try bi.query("SELECT current_user AS u").rows[0].decode("u", as: String.self) == "bi_tcp")
        bi.close()

        // Refused: a wrong password, no password (socket too), the superuser over TCP.
        let wrong = try #require(cluster.tcpConninfo(user: "bi_tcp", database: "auth_test", password: "wrong"))
        #expect(throws: PostgresError.self) { try PostgresConnection(conninfo: wrong + " connect_timeout=10") }
        #expect(throws: PostgresError.self) {
            try PostgresConnection(conninfo: cluster.conninfo(user: "dossier_app", database: "auth_test") + " password=nope")
        }
        let superTCP = try #require(cluster.tcpConninfo(user: "postgres", database: "auth_test", password: "x"))
        #expect(throws: PostgresError.self) { try PostgresConnection(conninfo: superTCP + " connect_timeout=10") }
        // The daemon's role with its password through the socket.
        let daemon = try PostgresConnection(conninfo: cluster.conninfo(user: "dossier_app", database: "auth_test") + " password=\(password)-daemon")
        daemon.close()

        // log_statement=all logged every statement, yet never the clear password.
        let log = try String(contentsOfFile: cluster.logFile, encoding: .utf8)
        #expect(log.contains("SCRAM-SHA-256$"), "the verifier travels instead")
        #expect(!log.contains(password), "a clear password reached the server log")
        let hba = try String(contentsOfFile: cluster.dataDirectory + "/pg_hba.conf", encoding: .utf8)
        #expect(!hba.contains("trust"))
    }
}
