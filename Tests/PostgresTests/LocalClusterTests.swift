import Foundation
import LocalPostgres
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
