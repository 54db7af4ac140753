import ArgumentParser
import DossierProtocol
import DossierServer
import DossierStore
import Foundation
import Logging
import Metrics
import Postgres
import Prometheus
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the line-protocol server (with no database configured: on a private embedded cluster)."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on, host:port.")
    var listen = "127.0.0.1:7878"

    @Option(name: .customLong("pg-listen"), help: "Embedded cluster only: also let PostgreSQL listen on TCP at host:port, for BI logins with a password (off by default).")
    var pgListen: String?

    @Option(name: .customLong("pool-size"), help: "Database connections.")
    var poolSize = 8

    @Option(name: .customLong("command-slots"), help: "Commands in the database at once; the rest of the pool is for long work and jobs (default: this machine's cores for the embedded cluster, else --pool-size).")
    var commandSlots: Int?

    @Option(name: .customLong("commit-group"), help: "Most DOSSIER SHOWs that queue together and share one commit; 1: each commits alone.")
    var commitGroup = 8

    @Option(name: .customLong("pool-timeout"), help: "Seconds a command waits for a free database connection before ERR UNAVAILABLE.")
    var poolTimeout = 5

    @Option(name: .customLong("max-line-bytes"), help: "Longest request line accepted.")
    var maxLineBytes = 16 * 1024

    @Option(name: .customLong("max-connections"), help: "Most clients at once.")
    var maxConnections = 1024

    @Option(name: .customLong("idle-timeout"), help: "Seconds without a complete request before a client is closed.")
    var idleTimeout = 15 * 60

    @Option(name: .customLong("request-timeout"), help: "Seconds a client may take to finish a request line it began.")
    var requestTimeout = 30

    @Option(name: .customLong("login-timeout"), help: "Seconds a client may take to log in after connecting.")
    var loginTimeout = 60

    @Option(name: .customLong("statement-timeout"), help: "Seconds a database statement may run (long jobs raise their own limit).")
    var statementTimeout = 30

    @Option(name: .customLong("lock-timeout"), help: "Seconds a command waits for a database lock.")
    var lockTimeout = 10

    @Option(name: .customLong("idle-in-transaction-timeout"), help: "Seconds a database transaction may stay idle before its session is ended.")
    var idleInTransactionTimeout = 60

    @Option(name: .customLong("database-wait"), help: "Seconds to wait at start for the database to accept connections.")
    var databaseWait = 60

    @Option(name: .customLong("lang"), help: "Language of messages and HELP summaries until a client sends LANG: en or zh-CN.")
    var language = "en"

    @Option(name: .customLong("shutdown-deadline"), help: "Seconds SIGTERM waits for commands in flight.")
    var shutdownDeadline = 10

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(name: .customLong("jobs-at"), help: "Daily time (HH:MM, the company time zone of COMPANY SET timezone=, default Asia/Shanghai) of the penalty sweep and the deletion purge.")
    var jobsAt = "02:00"

    @Flag(name: .customLong("no-jobs"), help: "Run no scheduled jobs in this daemon (others on the database still do).")
    var noJobs = false

    @Option(name: .customLong("jobs-poll"), help: "Longest seconds between two looks at the job table.")
    var jobsPoll = 60

    @Option(name: .customLong("jobs-lease"), help: "Seconds a job's claim holds without renewal; a crashed daemon's job is run again after it.")
    var jobsLease = 300

    @Option(name: .customLong("jobs-retry"), help: "Seconds after a failed job run before it is tried again.")
    var jobsRetry = 600

    @Option(name: .customLong("tls-cert"), help: "PEM certificate (chain) for TLS on the line protocol: every client of --listen then speaks TLS.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(name: .customLong("plain-listen"),
            help: "With --tls-cert: also listen in plain TCP here (host:port, e.g. 127.0.0.1:7879) for local tools; AUTH on it only from loopback unless --allow-plaintext.")
    var plainListen: String?

    @Flag(name: .customLong("allow-plaintext"), help: "Without --tls-cert: accept AUTH over plain TCP from clients that are not on loopback (passwords in clear).")
    var allowPlaintext = false

    @Option(name: .customLong("audit-key-file"),
            help: "File whose text (at least 32 characters) is the key that seals the audit log (else env DOSSIER_AUDIT_KEY; the embedded default keeps one in its data directory).")
    var auditKeyFile: String?

    @Flag(name: .customLong("new-audit-key"),
          help: "Start with an audit key other than the one the audit log was sealed with, because that one is lost: the seals and checkpoints it made can no longer be checked (AUDIT VERIFY says so).")
    var newAuditKey = false

    @OptionGroup var keys: DataKeyOptions

    @Option(name: .customLong("backup-dir"), help: "Directory of the scheduled backups (default with the embedded cluster: <data-dir>/backups; with a database URL, none unless given).")
    var backupDir: String?

    @Option(name: .customLong("backup-every"), help: "Back up also at this interval (30m, 6h, 1d); the 1st of every month at --jobs-at always.")
    var backupEvery: String?

    @Option(name: .customLong("backup-keep"), help: "Complete scheduled backups kept; older ones are removed.")
    var backupKeep = 12

    @Option(name: .customLong("backup-database-url"), help: "Superuser URL the scheduled backup dumps with (default: $DOSSIER_BACKUP_DATABASE_URL; with the embedded cluster, its superuser).")
    var backupDatabaseURL: String?

    @Option(name: .customLong("metrics-listen"), help: "Serve /metrics (Prometheus), /health and /ready over HTTP on host:port (e.g. 127.0.0.1:9464).")
    var metricsListen: String?

    func validate() throws {
        if let metricsListen { guard ServerConfiguration.parseListen(metricsListen) != nil else { throw ValidationError("--metrics-listen must be host:port") } }
        if let backupEvery { guard JobSchedule.seconds(backupEvery) != nil else { throw ValidationError("--backup-every must be a number with s, m, h or d (30m, 6h, 1d)") } }
        guard backupKeep >= 1 else { throw ValidationError("--backup-keep must be at least 1") }
        guard ServerConfiguration.parseListen(listen) != nil else { throw ValidationError("--listen must be host:port") }
        if let pgListen {
            guard ServerConfiguration.parseListen(pgListen) != nil else { throw ValidationError("--pg-listen must be host:port") }
            guard case .embedded = database.resolve() else {
                throw ValidationError("--pg-listen applies to the embedded cluster only; a configured database listens as its own server says")
            }
        }
        guard poolSize >= 1 else { throw ValidationError("--pool-size must be at least 1") }
        if let commandSlots, !(1...poolSize).contains(commandSlots) {
            throw ValidationError("--command-slots must be between 1 and --pool-size (\(poolSize))")
        }
        guard (1...64).contains(commitGroup) else { throw ValidationError("--commit-group must be between 1 and 64") }
        guard maxLineBytes >= 64 else { throw ValidationError("--max-line-bytes must be at least 64") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        let timeouts: [Int] = [
            idleTimeout, shutdownDeadline, poolTimeout, requestTimeout, loginTimeout, statementTimeout, lockTimeout,
            idleInTransactionTimeout,
        ]
        guard timeouts.min() ?? 1 >= 1 else { throw ValidationError("timeouts must be at least 1 second") }
        guard databaseWait >= 0 else { throw ValidationError("--database-wait must not be negative") }
        guard Language(rawValue: language) != nil else { throw ValidationError("--lang must be en or zh-CN") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        guard TimeOfDay(jobsAt) != nil else { throw ValidationError("--jobs-at must be HH:MM (00:00 to 23:59)") }
        guard jobsPoll >= 1, jobsRetry >= 1 else { throw ValidationError("--jobs-poll and --jobs-retry must be at least 1 second") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        if let plainListen {
            guard tlsCert != nil else { throw ValidationError("--plain-listen is for a daemon with --tls-cert (without it --listen is plain already)") }
            guard ServerConfiguration.parseListen(plainListen) != nil else { throw ValidationError("--plain-listen must be host:port") }
        }
        guard jobsLease >= 3 else { throw ValidationError("--jobs-lease must be at least 3 seconds (it is renewed every third)") }
    }

    private static func seconds(_ count: Int) -> Duration { Duration.seconds(Int64(count)) }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level) }
        let logger = Logger(label: "dossierd")
        let metricsRegistry = metricsListen.map { _ in Self.bootstrapMetrics() }
        // Before the database starts: a wrong certificate or key stops here.
        let transportSecurity: TransportSecurity
        if let tlsCert, let tlsKey {
            do {
                transportSecurity = try .tls(certificateFile: tlsCert, keyFile: tlsKey, allowPlaintext: allowPlaintext)
            } catch {
                throw ValidationError("cannot use --tls-cert/--tls-key: \(error)")
            }
        } else {
            transportSecurity = .plaintext(allowPlaintext: allowPlaintext)
        }

        var embedded: EmbeddedDatabase?
        var embeddedDirectory: String?
        let conninfo: String
        switch database.resolve() {
        case .conninfo(let given):
            conninfo = given
        case .embedded(let directory):
            let local = EmbeddedDatabase(dataDirectory: directory, pgListen: pgListen.flatMap(ServerConfiguration.parseListen))
            embeddedDirectory = directory
            let wasRunning = (try? local.cluster.isRunning()) ?? false
            try local.prepare { logger.info("\($0)") }
            if let address = local.cluster.listenAddress {
                if wasRunning {
                    logger.warning("the embedded cluster was already running: --pg-listen applies from its next start")
                } else {
                    logger.info("PostgreSQL listens on \(address):\(local.cluster.port) (database \(EmbeddedDatabase.databaseName), BI logins with a password)")
                }
            }
            embedded = local
            if let password = try local.bootstrapIfEmpty() {
                // Printed once, on the terminal only: it is not stored anywhere in clear.
                print("""
                    First start: created administrator `admin` with one-time password \(password)
                    Sign in with `AUTH admin \(password)` and change it with `USER PASSWD admin <new>`.
                    """)
                fflush(nil)  // all C streams; stdout is not concurrency-safe to name
            }
            conninfo = local.daemonConninfo
        }

        do {
            let wait: Duration = Self.seconds(databaseWait)
            try await DatabaseWait.untilReachable(conninfo: conninfo, for: wait, logger: logger)
            try DaemonPreflight.check(conninfo: conninfo)
        } catch let refusal as DaemonPreflight.Refusal {
            try? embedded?.stop()
            throw ValidationError(refusal.description)
        } catch let unreachable as DatabaseWait.Unreachable {
            try? embedded?.stop()
            logger.error("\(unreachable.description)")
            throw ExitCode(3)
        }

        // The database's keys, checked on one connection: the data key file must
        // be the database's (clear text from before 0070 is encrypted before the
        // first command), and the audit key the one the log was sealed with.
        let personalData: PersonalData
        let auditKey: AuditKey?
        do {
            guard let keyring = try keys.resolve(database) else {
                throw ValidationError("customers' personal data is encrypted: give --data-key-file (or DOSSIER_DATA_KEY_FILE), the same file to every daemon")
            }
            personalData = PersonalData(keyring: keyring)
            let connection = try PostgresConnection(conninfo: conninfo)
            defer { connection.close() }
            try DataKeyMaintenance.verify(keyring, on: connection)
            let sealed = try DataKeyMaintenance.encryptExisting(personalData, on: connection)
            if sealed > 0 { logger.notice("encrypted the personal data of \(sealed) customers (customers without a data key, or with clear text from before migration 0070)") }
            logger.info("data keys: \(keyring.keys.count), current \(keyring.current.id)")
            auditKey = try checkedAuditKey(sealedWith: try AuditKeyCheck.sealingKeyID(on: connection),
                                           embeddedDirectory: embeddedDirectory, logger: logger)
        } catch let refusal as DataKeyMaintenance.Refusal {
            try? embedded?.stop()
            throw ValidationError(refusal.description)
        } catch let refusal as AuditKeyCheck.Refusal {
            try? embedded?.stop()
            throw ValidationError(refusal.description)
        } catch let failure as AuditKey.Failure {
            try? embedded?.stop()
            throw ValidationError("\(failure)")
        } catch {
            try? embedded?.stop()
            throw error
        }
        if auditKey == nil {
            logger.warning("the audit log is not sealed: no --audit-key-file and no DOSSIER_AUDIT_KEY")
        }

        let (host, port) = ServerConfiguration.parseListen(listen)!
        var limits = DatabaseLimits()
        limits.statementTimeout = Self.seconds(statementTimeout)
        limits.lockTimeout = Self.seconds(lockTimeout)
        limits.idleInTransactionTimeout = Self.seconds(idleInTransactionTimeout)
        let slots = CommandSlots.resolve(requested: commandSlots, poolSize: poolSize, embeddedCluster: embedded != nil,
                                         cores: ProcessInfo.processInfo.activeProcessorCount)
        let pool = ConnectionPool(.init(
            conninfo: conninfo, size: poolSize, acquireTimeout: .seconds(poolTimeout),
            sessionSettings: limits.sessionSettings, limitedJobs: slots, commitGroupLimit: commitGroup))
        var configuration = ServerConfiguration(host: host, port: port)
        configuration.maximumLineLength = maxLineBytes
        configuration.maximumConnections = maxConnections
        configuration.idleTimeout = Self.seconds(idleTimeout)
        configuration.requestTimeout = Self.seconds(requestTimeout)
        configuration.loginTimeout = Self.seconds(loginTimeout)
        configuration.shutdownDeadline = Self.seconds(shutdownDeadline)
        configuration.auditKey = auditKey
        configuration.personalData = personalData
        configuration.defaultLanguage = Language(rawValue: language) ?? .english
        configuration.transportSecurity = transportSecurity
        configuration.plainListen = plainListen.flatMap(ServerConfiguration.parseListen)
        if !transportSecurity.usesTLS && !allowPlaintext && !["127.0.0.1", "::1", "localhost"].contains(host) {
            logger.warning("plain TCP on \(host): AUTH is refused to clients off loopback (give --tls-cert/--tls-key, or --allow-plaintext)")
        }
        let server = DossierServer(configuration: configuration, pool: pool, logger: logger)
        // The group shuts services down in reverse order: the scheduler first
        // (no new claims at once; a running job may finish within the deadline),
        // then the server.
        var services: [any Service] = []
        if let metricsRegistry, let address = metricsListen.flatMap(ServerConfiguration.parseListen) {
            // First in the list, so it stops last: /ready says "shutting down" meanwhile.
            services.append(MetricsServer(host: address.host, port: address.port, registry: metricsRegistry, server: server,
                                          pool: pool, logger: logger))
        }
        services.append(server)
        if !noJobs {
            let daily = TimeOfDay(jobsAt)!
            var jobs: [ScheduledJob] = ScheduledJob.daily(at: daily)
            if let auditKey { jobs.append(ScheduledJob.auditSeal(.daily(at: daily), key: auditKey)) }
            if let plan = backupPlan(embedded: embedded) {
                var schedule = JobSchedule.monthly(day: 1, at: daily)
                if let every = backupEvery.flatMap(JobSchedule.seconds) { schedule = .anyOf([schedule, .every(seconds: every)]) }
                jobs.append(.backup(schedule, plan: plan))
                logger.info("scheduled backups \(schedule) into \(plan.directory), keeping \(plan.keep)")
            } else {
                logger.notice("no scheduled backups from this daemon: give --backup-dir and --backup-database-url (a superuser URL)")
            }
            services.append(JobScheduler(
                jobs: jobs, pool: pool,
                configuration: .init(pollInterval: .seconds(jobsPoll), lease: .seconds(jobsLease), retryDelay: .seconds(jobsRetry)),
                logger: logger))
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // The server cancels its own commands at the deadline and answers them;
        // the group's cancellation (scheduler, stragglers) comes a little later.
        let groupDeadline: Int = shutdownDeadline + 3
        groupConfiguration.maximumGracefulShutdownDuration = Self.seconds(groupDeadline)
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch {
            logger.error("server failed", metadata: ["error": "\(error)"])
            await pool.shutdown()
            try? embedded?.stop()
            throw ExitCode.failure
        }
        await pool.shutdown()
        if let embedded {
            try embedded.stop()
            logger.info("stopped the embedded PostgreSQL cluster")
        }
    }
}

extension Serve {
    /// The daemon's audit key (`resolveAuditKey`), refused when it is not the
    /// one the log was sealed with (`sealedWith`, AuditKeyCheck); the embedded
    /// default makes no new key file for a sealed log. `--new-audit-key`: the
    /// old key is lost, started anyway with a warning.
    func checkedAuditKey(sealedWith: String?, embeddedDirectory: String?, logger: Logger) throws -> AuditKey? {
        if !newAuditKey, let file = embeddedAuditKeyFile(embeddedDirectory: embeddedDirectory),
           !FileManager.default.fileExists(atPath: file) {
            try AuditKeyCheck.checkBeforeCreating(file: file, sealedWith: sealedWith)
        }
        let key = try resolveAuditKey(embeddedDirectory: embeddedDirectory)
        if !newAuditKey {
            try AuditKeyCheck.check(keyID: key?.id, sealedWith: sealedWith)
        } else if let sealedWith, key?.id != sealedWith {
            logger.warning("audit key \(key?.id ?? "none") replaces \(sealedWith) (--new-audit-key): the seals and checkpoints made with \(sealedWith) can no longer be checked")
        }
        return key
    }

    /// `--audit-key-file`, else DOSSIER_AUDIT_KEY, else (embedded default
    /// only) `audit.key` in the data directory, created on first start.
    func resolveAuditKey(embeddedDirectory: String?) throws -> AuditKey? {
        if let auditKeyFile { return try AuditKey.load(file: auditKeyFile) }
        if let text = ProcessInfo.processInfo.environment["DOSSIER_AUDIT_KEY"], !text.isEmpty { return try AuditKey(text: text) }
        if let file = embeddedAuditKeyFile(embeddedDirectory: embeddedDirectory) { return try AuditKey.loadOrCreate(file: file) }
        return nil
    }

    /// The embedded default's `audit.key`, when neither `--audit-key-file` nor
    /// DOSSIER_AUDIT_KEY gives the key.
    func embeddedAuditKeyFile(embeddedDirectory: String?) -> String? {
        guard auditKeyFile == nil, (ProcessInfo.processInfo.environment["DOSSIER_AUDIT_KEY"] ?? "").isEmpty,
              let embeddedDirectory else { return nil }
        return embeddedDirectory + "/audit.key"
    }

    /// swift-metrics → swift-prometheus, with latency buckets from 0.5 ms (a
    /// command's floor here) to 10 s (the pool timeout's order).
    static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
            .seconds(5), .seconds(10),
        ]
        // Job runs (a backup, a sweep) take seconds to many minutes.
        factory.durationHistogramBuckets["dossier_job_duration_seconds"] = [
            .milliseconds(100), .seconds(1), .seconds(10), .seconds(60), .seconds(300), .seconds(1800), .seconds(3600),
        ]
        MetricsSystem.bootstrap(factory)
        DossierMetrics.startRecording()
        return registry
    }

    /// The scheduled backup's directory and superuser login: given, or the
    /// embedded cluster's own; nil when a database URL has none given.
    func backupPlan(embedded: EmbeddedDatabase?, environment: [String: String] = ProcessInfo.processInfo.environment) -> BackupPlan? {
        let url = backupDatabaseURL ?? environment["DOSSIER_BACKUP_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        guard let conninfo = url ?? embedded?.adminConninfo else { return nil }
        let directory = backupDir ?? embedded.map { URL(fileURLWithPath: $0.cluster.dataDirectory).deletingLastPathComponent().path + "/backups" }
        guard let directory else { return nil }
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
        return BackupPlan(conninfo: conninfo, directory: absolute, keep: backupKeep)
    }
}

/// What `serve` checks before it listens: the login may not bypass row-level
/// security, and the schema must be the one this binary was built for.
enum DaemonPreflight {
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    static func check(conninfo: String) throws {
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        let role = try connection.query("""
            SELECT current_user AS login, rolsuper, rolbypassrls,
                   pg_has_role(current_user, 'dossier_app', 'USAGE') AS is_daemon
              FROM pg_roles WHERE rolname = current_user
            """).firstRow()
        let login = try role.decode("login", as: String.self)
        if try role.decode("rolsuper", as: Bool.self) || role.decode("rolbypassrls", as: Bool.self) {
            throw Refusal(description: "refusing to serve as \(login): superusers and BYPASSRLS roles skip row-level security; connect as dossier_app")
        }
        let status = try Migrator().status(connection)
        guard case .current = status else { throw Refusal(description: status.operatorMessage) }
        if try role.decode("is_daemon", as: Bool.self) == false {
            throw Refusal(description: "refusing to serve as \(login): it is not dossier_app nor a member of it (GRANT dossier_app TO \(login))")
        }
    }
}

/// `serve` started before its database (a unit ordered before PostgreSQL, a
/// restart of both) waits with backoff, saying what it waits for, instead of
/// exiting at once.
enum DatabaseWait {
    struct Unreachable: Error, CustomStringConvertible {
        let description: String
    }

    static func untilReachable(conninfo: String, for limit: Duration, logger: Logger) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var pause = Duration.milliseconds(250)
        var attempt = 0
        while let failure = probe(conninfo) {
            attempt += 1
            let left: Duration = deadline - clock.now
            guard left > Duration.zero else {
                let seconds: Int64 = limit.components.seconds
                throw Unreachable(description: "database not reachable within \(seconds) s (--database-wait): \(failure.message)")
            }
            logger.warning("waiting for the database (attempt \(attempt), next in \(pause)): \(failure.message)")
            let nap: Duration = pause < left ? pause : left
            try await Task.sleep(for: nap)
            let doubled: Duration = pause + pause
            let ceiling: Duration = Duration.seconds(5)
            pause = doubled < ceiling ? doubled : ceiling
        }
        if attempt > 0 { logger.info("database reachable after \(attempt + 1) attempts") }
    }

    /// One connection attempt: nil when the database answered, else why not.
    /// A function of its own: a typed-throws `do`/`catch` inside the async
    /// loop above made the Swift 6.3 compiler hang (measured: >14 min).
    /// Errors other than an unreachable database (a refused login) are not
    /// worth waiting for: the start-up checks report them.
    private static func probe(_ conninfo: String) -> PostgresError? {
        do {
            let connection = try PostgresConnection(conninfo: conninfo)
            connection.close()
            return nil
        } catch {
            return error.kind == .connection ? error : nil
        }
    }
}
