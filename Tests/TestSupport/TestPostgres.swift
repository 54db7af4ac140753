import Foundation
import LocalPostgres
import Postgres
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Real PostgreSQL for tests: one private cluster per test process, started
/// lazily and stopped at exit, plus fresh empty databases on demand.
///
/// The cluster lives in `$DOSSIER_TEST_PGDATA` when set (kept between runs;
/// stopped at exit only if this process started it), else in a new directory
/// under /tmp that is removed at exit.
public enum TestPostgres {
    private struct Cluster: Sendable {
        var cluster: LocalCluster
        /// Directory to delete at exit (we created it).
        var temporaryDirectory: String?
        /// Whether this process started the server (and so stops it).
        var startedHere: Bool
    }

    private static let sharedCluster = Mutex<Result<Cluster, any Error>?>(nil)
    private static let scratchClusters = Mutex<[Cluster]>([])
    private static let databaseCounter = Mutex<Int>(0)
    private static let exitHandler = Mutex<Bool>(false)

    /// Settings that trade durability for speed; test data is disposable.
    /// More connections than a daemon's cluster: every suite runs at once on
    /// the shared cluster, each test with its own database, test server pool
    /// and fixture connections, and 200 ran out ("remaining connection slots
    /// are reserved") once a command's work stopped occupying the test
    /// process's cooperative threads (it runs on the event loops now), so more
    /// tests are in flight at a time.
    public static let testSettings: [String: String] = [
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": "400",
    ]

    /// The process-wide test cluster, created and started on first use.
    /// A failure is remembered, so later tests fail fast with the same error.
    public static func shared() throws -> LocalCluster {
        try sharedCluster.withLock { state in
            if state == nil {
                state = Result { try makeSharedCluster() }
            }
            return try state!.get().cluster
        }
    }

    /// Creates an empty database with a unique name and returns its conninfo.
    /// `CREATE DATABASE` is serialised: concurrent copies of one template fail.
    public static func createDatabase(template: String = "template0") throws -> String {
        let cluster = try shared()
        return try databaseCounter.withLock { counter in
            counter += 1
            let name = "test_\(getpid())_\(counter)_\(UInt32.random(in: 0...UInt32.max))"
            let admin = try PostgresConnection(conninfo: cluster.conninfo())
            defer { admin.close() }
            try admin.execute(script: "CREATE DATABASE \"\(name)\" TEMPLATE \"\(template)\"")
            return cluster.conninfo(database: name)
        }
    }

    /// A separate, started cluster for tests that disrupt the server (restart,
    /// stop) or need other authentication or TCP, and so must not touch the
    /// shared one. Stopped and deleted at exit.
    public static func makeScratchCluster(
        authentication: LocalCluster.Authentication = .trust, listenAddress: String? = nil, port: Int = 5432,
        settings: [String: String] = [:]
    ) throws -> LocalCluster {
        let directory = try makeTemporaryDirectory()
        let cluster = LocalCluster(
            dataDirectory: directory, port: port, settings: testSettings.merging(settings) { _, new in new },
            authentication: authentication, listenAddress: listenAddress)
        scratchClusters.withLock { $0.append(Cluster(cluster: cluster, temporaryDirectory: directory, startedHere: true)) }
        registerExitHandler()
        try cluster.initializeIfNeeded()
        try cluster.start()
        return cluster
    }

    // MARK: Internals

    private static func makeSharedCluster() throws -> Cluster {
        registerExitHandler()
        var temporaryDirectory: String?
        let dataDirectory: String
        if let configured = ProcessInfo.processInfo.environment["DOSSIER_TEST_PGDATA"], !configured.isEmpty {
            dataDirectory = configured
        } else {
            dataDirectory = try makeTemporaryDirectory()
            temporaryDirectory = dataDirectory
        }
        let cluster = LocalCluster(dataDirectory: dataDirectory, settings: testSettings, authentication: .trust)
        var record = Cluster(cluster: cluster, temporaryDirectory: temporaryDirectory, startedHere: false)
        do {
            try cluster.initializeIfNeeded()
            if try !cluster.isRunning() {
                try cluster.start()
                record.startedHere = true
            }
        } catch {
            if let temporaryDirectory { try? FileManager.default.removeItem(atPath: temporaryDirectory) }
            throw error
        }
        return record
    }

    private static func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/dossier-test-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw LocalPostgresError("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func registerExitHandler() {
        exitHandler.withLock { registered in
            guard !registered else { return }
            registered = true
            atexit { TestPostgres.cleanUpAtExit() }
        }
    }

    private static func cleanUpAtExit() {
        var clusters = scratchClusters.withLock { $0 }
        if case .success(let shared)? = sharedCluster.withLock({ $0 }) { clusters.append(shared) }
        for record in clusters {
            if record.startedHere { try? record.cluster.stop() }
            if let directory = record.temporaryDirectory {
                try? FileManager.default.removeItem(atPath: directory)
                // The socket directory is outside the data directory when the path is long.
                if !record.cluster.socketDirectory.hasPrefix(directory + "/") {
                    try? FileManager.default.removeItem(atPath: record.cluster.socketDirectory)
                }
            }
        }
    }
}
