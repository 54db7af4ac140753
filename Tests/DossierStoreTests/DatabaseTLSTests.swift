import Foundation
import LocalPostgres
import Postgres
import Testing
import TestSupport

/// The daemon's connections (the `Postgres` layer, with its default bounds in
/// front of the URL) honour `sslmode=verify-full` from the URL: libpq checks
/// the server's certificate against `sslrootcert` and the host name, and
/// nothing the daemon adds weakens it (README, "Database roles").
@Suite struct DatabaseTLSTests {
    @Test func verifyFullFromTheURLIsHonoured() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let port = try LineClient.freePort()
        let cluster = try TestPostgres.makeScratchCluster(
            authentication: .password, listenAddress: "127.0.0.1", port: port,
            settings: ["ssl": "on", "ssl_cert_file": certificates.serverCert, "ssl_key_file": try certificates.serverKeyForPostgres()])
        let password = "tls-\(UInt32.random(in: 1_000_000...9_999_999))"
        let superuser = try PostgresConnection(conninfo: cluster.conninfo())
        try superuser.execute(script: "CREATE ROLE tls_check LOGIN PASSWORD '\(password)'")
        superuser.close()
        func url(host: String, ca: String) -> String {
            "postgresql://tls_check:\(password)@\(host):\(port)/postgres?sslmode=verify-full&sslrootcert=\(ca)"
        }

        // The right CA and the certificate's name: an encrypted session.
        let verified = try PostgresConnection(conninfo: url(host: "localhost", ca: certificates.ca))
        #expect(try verified.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").rows[0].decode(0, as: Bool.self))
        verified.close()

        // Another CA: refused before the password is sent.
        do {
            _ = try PostgresConnection(conninfo: url(host: "localhost", ca: certificates.otherCA))
            Issue.record("a certificate of an unknown CA was accepted")
        } catch {
            #expect("\(error)".contains("certificate verify failed"), "\(error)")
        }
        // A name the certificate does not carry (it has DNS:localhost and IP:127.0.0.1).
        let other = try PostgresConnection(conninfo: url(host: "127.0.0.1", ca: certificates.ca))
        other.close()
        let misnamed = "host=records.example hostaddr=127.0.0.1 port=\(port) user=tls_check password=\(password) dbname=postgres"
            + " sslmode=verify-full sslrootcert=\(certificates.ca)"
        do {
            _ = try PostgresConnection(conninfo: misnamed)
            Issue.record("a certificate for another host name was accepted")
        } catch {
            #expect("\(error)".contains("does not match host name"), "\(error)")
        }
    }
}
