import Foundation
import LocalPostgres
import Postgres
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `LocalCluster` paths, conninfo and error reporting (no server started here).
@Suite struct LocalClusterTests {
    @Test func shortDataDirectoryKeepsSocketInside() {
        let cluster = LocalCluster(dataDirectory: "/var/lib/dossierd", port: 5432)
        #expect(cluster.socketDirectory == "/var/lib/dossierd/run")
        #expect(cluster.conninfo() == "host=/var/lib/dossierd/run port=5432 user=postgres dbname=postgres")
        #expect(cluster.conninfo(user: "app", database: "dossier").hasSuffix("user=app dbname=dossier"))
    }

    @Test func longDataDirectoryMovesSocketToTmp() {
        let long = "/srv/" + String(repeating: "very-long-directory-name/", count: 5) + "data"
        let cluster = LocalCluster(dataDirectory: long)
        #expect(cluster.socketDirectory.hasPrefix("/tmp/dossier-"))
        #expect((cluster.socketDirectory + "/.s.PGSQL.5432").utf8.count < 108)
        // Stable: the same data directory always gets the same socket directory.
        #expect(LocalCluster(dataDirectory: long).socketDirectory == cluster.socketDirectory)
    }

    @Test func relativeDataDirectoryIsMadeAbsolute() {
        let cluster = LocalCluster(dataDirectory: "./.dossier/")
        #expect(cluster.dataDirectory == FileManager.default.currentDirectoryPath + "/.dossier")
    }

    @Test func conninfoQuotesPathsWithSpaces() {
        let cluster = LocalCluster(dataDirectory: "/tmp/my data")
        #expect(cluster.conninfo().hasPrefix("host='/tmp/my data/run' "))
    }

    @Test func startingWithoutDataDirectoryFailsClearly() throws {
        let cluster = LocalCluster(dataDirectory: "/tmp/dossier-missing-\(UUID().uuidString)")
        let error = #expect(throws: LocalPostgresError.self) { try cluster.start() }
        #expect(error?.description.contains("data directory") == true)
    }

    @Test(.enabled(if: geteuid() == 0 && !isTraversableByOthers("/root")))
    func rootOwnedParentIsReportedWithAdvice() throws {
        let parent = "/root/dossier-traverse-test-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let cluster = LocalCluster(dataDirectory: parent + "/data")
        let error = #expect(throws: LocalPostgresError.self) { try cluster.initializeIfNeeded() }
        #expect(error?.message.contains("/var/lib/dossierd") == true)
        #expect(error?.message.contains("postgres") == true)
    }
}

private func isTraversableByOthers(_ path: String) -> Bool {
    var info = stat()
    guard stat(path, &info) == 0 else { return false }
    return info.st_mode & 0o001 != 0
}

/// A started cluster's configuration agrees with what it runs with.
@Suite struct LocalClusterSettingsTests {
    /// initdb writes its own `max_connections` into postgresql.conf; the
    /// cluster starts with ours, and a reload must neither complain ("contains
    /// errors") nor change what the server runs with.
    @Test func aReloadReadsTheSettingsTheServerRunsWith() throws {
        let cluster = try TestPostgres.makeScratchCluster(settings: ["max_connections": "123"])
        let connection = try PostgresConnection(conninfo: cluster.conninfo())
        defer { connection.close() }
        let before = try String(contentsOfFile: cluster.logFile, encoding: .utf8)
        _ = try connection.simpleQuery("SELECT pg_reload_conf()")
        // The postmaster rereads the files on SIGHUP, asynchronously: wait for its log line.
        var after = before
        for _ in 0..<100 where !after.dropFirst(before.count).contains("reloading configuration files") {
            usleep(50_000)
            after = try String(contentsOfFile: cluster.logFile, encoding: .utf8)
        }
        let logged = after.dropFirst(before.count)
        #expect(logged.contains("reloading configuration files"), "\(logged)")
        #expect(!logged.contains("contains errors") && !logged.contains("cannot be changed"), "\(logged)")
        #expect(try connection.simpleQuery("SHOW max_connections").firstRow().decode("max_connections", as: String.self) == "123")
        let conf = try String(contentsOfFile: cluster.dataDirectory + "/postgresql.conf", encoding: .utf8)
        #expect(conf.components(separatedBy: "include_if_exists = 'dossierd.conf'").count == 2, "included once")
        // A restart adds no second include line.
        try cluster.stop()
        try cluster.start()
        let again = try String(contentsOfFile: cluster.dataDirectory + "/postgresql.conf", encoding: .utf8)
        #expect(again.components(separatedBy: "include_if_exists = 'dossierd.conf'").count == 2)
    }
}
