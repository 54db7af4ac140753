import DossierServer
import DossierStore
import Logging
import Postgres
import ServiceLifecycle
import TestSupport

/// A `DossierServer` on a free port over a fresh migrated database with an
/// administrator `admin` / `admin-pw`, run in-process by a `ServiceGroup`
/// exactly as `dossierd serve` runs it.
final class TestServer: Sendable {
    let database: MigratedDatabase
    let server: DossierServer
    let pool: ConnectionPool
    let port: Int
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    static let adminPassword = "admin-pw"

    init(
        database: MigratedDatabase? = nil, limits: DatabaseLimits = DatabaseLimits(), poolSize: Int = 4,
        commandSlots: Int? = nil, commitGroup: Int = 8, logger: Logger? = nil, configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws {
        self.database = try database ?? MigratedDatabase.create()
        let daemon = try self.database.daemon()
        _ = try Bootstrap.run(daemon, adminLogin: "admin", password: Self.adminPassword)
        daemon.close()
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.personalData = .test
        // A client may stay signed out for a whole test (lockout tests guess
        // wrong passwords on it); under CI's load a test took 160 s and the
        // 60 s login clock closed that client mid-test. Tests of the clock set
        // their own.
        configuration.loginTimeout = .seconds(600)
        configure(&configuration)
        let logger = logger ?? {
            var logger = Logger(label: "test-server")
            logger.logLevel = .warning
            return logger
        }()
        // Commits grouped as `dossierd serve` groups them by default.
        pool = ConnectionPool(.init(conninfo: self.database.daemonConninfo, size: poolSize, sessionSettings: limits.sessionSettings,
                                    limitedJobs: commandSlots, commitGroupLimit: commitGroup))
        server = DossierServer(configuration: configuration, pool: pool, logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(services: [server], logger: logger)
        // Past the server's own deadline, as `dossierd serve` sets it: the
        // deadline answers the commands it cancels before the group cuts them off.
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownDeadline + .seconds(3)
        group = ServiceGroup(configuration: groupConfiguration)
        running = Task { [group] in try await group.run() }
        port = try await server.localAddress().port!
    }

    /// A connected client that has read the greeting.
    func client() async throws -> LineClient {
        let client = try await LineClient(port: port)
        _ = try await client.readLine()
        return client
    }

    /// A client signed in as `login` (created with `password` unless it is the admin).
    func client(as login: String, password: String) async throws -> LineClient {
        let client = try await self.client()
        let answer = try await client.request("AUTH \(login) \(password)")
        guard answer.first?.hasPrefix("OK") == true else { throw LineClient.Failure(description: "AUTH \(login): \(answer)") }
        return client
    }

    func admin() async throws -> LineClient { try await client(as: "admin", password: Self.adminPassword) }

    /// Graceful shutdown, as on SIGTERM; returns when the server has stopped.
    func shutdown() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
        await pool.shutdown()
    }
}
