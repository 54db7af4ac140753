import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private PostgreSQL cluster in a directory of this machine, with superuser
/// `postgres`, reachable through a Unix socket and, when `listenAddress` is
/// set, over TCP.
///
/// Authentication (`authentication`): `.password` (the default, the embedded
/// database) lets the superuser in only through the socket by peer (the OS user
/// running this process, mapped to `postgres`) and every other login only with
/// a SCRAM-SHA-256 password; `.trust` (throwaway test clusters) trusts every
/// local connection.
///
/// PostgreSQL refuses to run as root, so when this process is root the data
/// and socket directories belong to the `postgres` system user and every
/// server command runs through `runuser -u postgres --`.
public struct LocalCluster: Sendable {
    /// Absolute path of the data directory.
    public let dataDirectory: String
    /// Port number: names the socket (`.s.PGSQL.<port>`) and is the TCP port when `listenAddress` is set.
    public let port: Int
    /// Server settings passed with `-c` at start, on top of `defaultSettings`.
    public var settings: [String: String]
    /// Who may connect, and how they prove it.
    public var authentication: Authentication
    /// TCP address to listen on (e.g. `127.0.0.1`); nil: the Unix socket only.
    public var listenAddress: String?

    /// How connections authenticate.
    public enum Authentication: Sendable, Equatable {
        /// initdb's `trust` for every local connection: for disposable test clusters only.
        case trust
        /// Superuser `postgres` by peer through the socket only; everyone else
        /// with a SCRAM-SHA-256 password (socket and TCP). `pg_hba.conf` and
        /// `pg_ident.conf` are rewritten at every start.
        case password
    }

    /// Settings every cluster starts with unless overridden in `settings`.
    public static let defaultSettings: [String: String] = [
        "max_connections": "200",
        "shared_buffers": "128MB",
        "unix_socket_permissions": "0700",
    ]

    /// The system user that owns the cluster when this process runs as root.
    static let serverUser = "postgres"

    public init(
        dataDirectory: String, port: Int = 5432, settings: [String: String] = [:],
        authentication: Authentication = .password, listenAddress: String? = nil
    ) {
        self.dataDirectory = Self.absolutePath(dataDirectory)
        self.port = port
        self.settings = settings
        self.authentication = authentication
        self.listenAddress = listenAddress
    }

    /// The port of the server running on `dataDirectory` (line 4 of
    /// `postmaster.pid`), or nil when none runs or the file cannot be read.
    public static func runningPort(dataDirectory: String) -> Int? {
        let path = absolutePath(dataDirectory) + "/postmaster.pid"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 3 else { return nil }
        return Int(lines[3].trimmingCharacters(in: .whitespaces))
    }

    /// Where the server puts its socket: `<dataDirectory>/run` when that path is
    /// short enough for a Unix socket address (< 108 bytes with the socket
    /// name), otherwise `/tmp/dossier-<hash of the data directory>`.
    public var socketDirectory: String {
        let preferred = dataDirectory + "/run"
        if (preferred + "/.s.PGSQL.\(port)").utf8.count < 108 { return preferred }
        return "/tmp/dossier-" + Self.fnv1a(dataDirectory)
    }

    /// The server log written by `pg_ctl -l`.
    public var logFile: String { dataDirectory + "/server.log" }

    /// libpq connection string for this cluster.
    /// `passfile`: a libpq password file (mode 0600) holding the login's password.
    public func conninfo(user: String = "postgres", database: String = "postgres", passfile: String? = nil) -> String {
        var text = "host=\(Self.quote(socketDirectory)) port=\(port) user=\(Self.quote(user)) dbname=\(Self.quote(database))"
        if let passfile { text += " passfile=\(Self.quote(passfile))" }
        return text
    }

    /// libpq connection string over TCP (`listenAddress` must be set), e.g. for BI tools.
    public func tcpConninfo(user: String, database: String, password: String? = nil) -> String? {
        guard let listenAddress else { return nil }
        var text = "host=\(Self.quote(listenAddress)) port=\(port) user=\(Self.quote(user)) dbname=\(Self.quote(database))"
        if let password { text += " password=\(Self.quote(password))" }
        return text
    }

    // MARK: Lifecycle

    /// Runs `initdb` (UTF8, C.UTF-8 locale, superuser postgres; trust, or peer
    /// and SCRAM) unless the data directory already holds a cluster. Returns
    /// `true` if it created one.
    @discardableResult
    public func initializeIfNeeded() throws -> Bool {
        if FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") { return false }
        let tools = try Tools.locate()
        try prepareDirectory(dataDirectory, mode: 0o700)
        try Subprocess.check(
            asServerUser([
                tools.path("initdb"), "-D", dataDirectory, "-U", Self.serverUser,
            ] + authenticationOptions + ["--encoding=UTF8", "--locale=C.UTF-8"]),
            what: "initdb of \(dataDirectory)")
        return true
    }

    /// Starts the server (`pg_ctl start -w`) unless it is already running.
    public func start() throws {
        let tools = try Tools.locate()
        if try isRunning(tools: tools) { return }
        try prepareDirectory(socketDirectory, mode: 0o700)
        if authentication == .password { try writeAuthenticationFiles() }
        try writeSettingsFile()
        try Subprocess.check(
            asServerUser([
                tools.path("pg_ctl"), "start", "-w", "-t", "120", "-D", dataDirectory, "-l", logFile,
                "-o", serverOptions(),
            ]),
            what: "starting PostgreSQL in \(dataDirectory) (log: \(logFile))")
    }

    /// How `pg_ctl stop` ends the server.
    public enum StopMode: String, Sendable {
        /// Disconnect clients, roll back, shut down cleanly.
        case fast
        /// Quit at once, without a shutdown checkpoint (as a crash; recovery at next start).
        case immediate
    }

    /// Stops the server (`pg_ctl stop -m <mode> -w`); does nothing when it is not running.
    public func stop(mode: StopMode = .fast) throws {
        let tools = try Tools.locate()
        guard try isRunning(tools: tools) else { return }
        try Subprocess.check(
            asServerUser([tools.path("pg_ctl"), "stop", "-m", mode.rawValue, "-w", "-t", "120", "-D", dataDirectory]),
            what: "stopping PostgreSQL in \(dataDirectory)")
    }

    /// Stops the server at once, as a crash would (`pg_ctl stop -m immediate`):
    /// no shutdown checkpoint, clients cut off.
    public func stopImmediately() throws {
        let tools = try Tools.locate()
        guard try isRunning(tools: tools) else { return }
        try Subprocess.check(
            asServerUser([tools.path("pg_ctl"), "stop", "-m", "immediate", "-w", "-t", "120", "-D", dataDirectory]),
            what: "stopping PostgreSQL at once in \(dataDirectory)")
    }

    /// Makes this streaming standby a primary (`pg_ctl promote -w`).
    public func promote() throws {
        let tools = try Tools.locate()
        try Subprocess.check(
            asServerUser([tools.path("pg_ctl"), "promote", "-w", "-t", "120", "-D", dataDirectory]),
            what: "promoting the standby in \(dataDirectory)")
    }

    /// Creates this cluster as a streaming standby of the server `source`
    /// points to (`pg_basebackup -R`: `standby.signal` and a `primary_conninfo`
    /// naming `applicationName`, for `synchronous_standby_names`). Does nothing
    /// when the data directory already holds a cluster.
    public func initializeAsStandby(of source: String, applicationName: String) throws {
        if FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") { return }
        let tools = try Tools.locate()
        try prepareDirectory(dataDirectory, mode: 0o700)
        try Subprocess.check(
            asServerUser([
                tools.path("pg_basebackup"), "-D", dataDirectory, "-d", source + " application_name=" + Self.quote(applicationName),
                "-X", "stream", "-R", "--checkpoint=fast", "--no-sync",
            ]),
            what: "pg_basebackup into \(dataDirectory)")
    }

    /// Stops and starts the server; existing connections are cut.
    public func restart() throws {
        try stop()
        try start()
    }

    /// Whether a server is running on this data directory (`pg_ctl status`).
    public func isRunning() throws -> Bool {
        try isRunning(tools: Tools.locate())
    }

    // MARK: Internals

    private func isRunning(tools: Tools) throws -> Bool {
        let result = try Subprocess.run(asServerUser([tools.path("pg_ctl"), "status", "-D", dataDirectory]))
        switch result.status {
        case 0: return true
        case 3: return false
        default:
            throw LocalPostgresError(
                "no usable PostgreSQL data directory at \(dataDirectory)",
                command: "pg_ctl status -D \(dataDirectory)", output: result.output)
        }
    }

    private var authenticationOptions: [String] {
        switch authentication {
        case .trust: ["--auth=trust"]
        case .password: ["--auth-local=peer", "--auth-host=scram-sha-256"]
        }
    }

    /// `pg_hba.conf` and `pg_ident.conf` for `.password`, rewritten at every
    /// start so an older cluster created with `trust` is brought to the same
    /// rules. Written in place: the files keep their owner (`postgres` when root).
    private func writeAuthenticationFiles() throws {
        let osUser = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? Self.serverUser
        let hba = """
            # Written by dossierd at every start of this cluster; edits here are overwritten.
            # The superuser only through the Unix socket, as the OS user running dossierd (peer);
            # every other login with a SCRAM-SHA-256 password, through the socket or over TCP.
            # TYPE  DATABASE  USER      ADDRESS  METHOD
            local   all       \(Self.serverUser)            peer map=dossier
            local   all       all                scram-sha-256
            host    all       \(Self.serverUser)  all      reject
            host    all       all       all      scram-sha-256

            """
        let ident = """
            # Written by dossierd at every start of this cluster; edits here are overwritten.
            # MAPNAME  SYSTEM-USERNAME  PG-USERNAME
            dossier    \(Self.serverUser)  \(Self.serverUser)
            dossier    \(osUser)  \(Self.serverUser)

            """
        for (name, text) in [("pg_hba.conf", hba), ("pg_ident.conf", ident)] {
            let path = dataDirectory + "/" + name
            guard FileManager.default.createFile(atPath: path + ".dossier-new", contents: Data(text.utf8)) else {
                throw LocalPostgresError("cannot write \(path)")
            }
            try finishReplacing(path)
        }
    }

    /// `defaultSettings` with `settings` over them: what the server runs with.
    private var effectiveSettings: [String: String] { Self.defaultSettings.merging(settings) { _, new in new } }

    /// The settings the server is started with (`-c` below), also in
    /// `dossierd.conf`, which postgresql.conf includes last: a reload (`pg_ctl
    /// reload`, `pg_reload_conf()`) then reads the values the server runs
    /// with. Otherwise initdb's own `max_connections` in postgresql.conf
    /// differs from ours, and PostgreSQL logs every reload as "configuration
    /// file contains errors". Rewritten at every start; the include line is
    /// added once.
    private func writeSettingsFile() throws {
        let lines = effectiveSettings.sorted(by: { $0.key < $1.key }).map { key, value in
            "\(key) = '\(value.replacingOccurrences(of: "'", with: "''"))'"
        }
        let text = "# Written by dossierd at every start of this cluster; edits here are overwritten.\n"
            + lines.joined(separator: "\n") + "\n"
        let path = dataDirectory + "/" + Self.settingsFileName
        guard FileManager.default.createFile(atPath: path + ".dossier-new", contents: Data(text.utf8)) else {
            throw LocalPostgresError("cannot write \(path)")
        }
        try finishReplacing(path)

        let main = dataDirectory + "/postgresql.conf"
        let include = "include_if_exists = '\(Self.settingsFileName)'"
        guard let current = try? String(contentsOfFile: main, encoding: .utf8) else {
            throw LocalPostgresError("cannot read \(main)")
        }
        if !current.split(separator: "\n").contains(where: { $0 == include }) {
            guard let handle = FileHandle(forWritingAtPath: main) else { throw LocalPostgresError("cannot write \(main)") }
            defer { try? handle.close() }
            handle.seekToEndOfFile()
            handle.write(Data("\n# dossierd's settings (\(Self.settingsFileName)), last so that they win.\n\(include)\n".utf8))
        }
    }

    static let settingsFileName = "dossierd.conf"

    /// Moves `<path>.dossier-new` over `path`, with the server user as owner and mode 0600.
    private func finishReplacing(_ path: String) throws {
        let staged = path + ".dossier-new"
        chmod(staged, 0o600)
        if runningAsRoot, let user = getpwnam(Self.serverUser) {
            _ = chown(staged, user.pointee.pw_uid, user.pointee.pw_gid)
        }
        guard rename(staged, path) == 0 else {
            throw LocalPostgresError("cannot replace \(path): \(String(cString: strerror(errno)))")
        }
    }

    private func serverOptions() -> String {
        var options = [
            "-c listen_addresses=\(Self.shellQuote(listenAddress ?? ""))",
            "-k \(Self.shellQuote(socketDirectory))",
            "-p \(port)",
        ]
        for (key, value) in effectiveSettings.sorted(by: { $0.key < $1.key }) {
            options.append("-c \(key)=\(Self.shellQuote(value))")
        }
        return options.joined(separator: " ")
    }

    private var runningAsRoot: Bool { geteuid() == 0 }

    private func asServerUser(_ arguments: [String]) -> [String] {
        guard runningAsRoot else { return arguments }
        return [Tools.runuser(), "-u", Self.serverUser, "--"] + arguments
    }

    /// Creates `path` (and missing parents), hands it to the server user when
    /// root, and checks that the server user can reach it.
    private func prepareDirectory(_ path: String, mode: Int) throws {
        let fileManager = FileManager.default
        do {
            // Missing parents get the default mode (they must stay traversable);
            // only `path` itself is restricted.
            let parent = (path as NSString).deletingLastPathComponent
            try fileManager.createDirectory(atPath: parent, withIntermediateDirectories: true)
            if !fileManager.fileExists(atPath: path) {
                try fileManager.createDirectory(atPath: path, withIntermediateDirectories: false)
            }
        } catch {
            throw LocalPostgresError("cannot create directory \(path): \(error)")
        }
        chmod(path, mode_t(mode))
        guard runningAsRoot else { return }
        guard let user = getpwnam(Self.serverUser) else {
            throw LocalPostgresError(
                "running as root, but there is no '\(Self.serverUser)' system user to run PostgreSQL as "
                    + "(PostgreSQL refuses to run as root); install the postgresql package or run as another user")
        }
        if chown(path, user.pointee.pw_uid, user.pointee.pw_gid) != 0 {
            throw LocalPostgresError("cannot give \(path) to user \(Self.serverUser): \(String(cString: strerror(errno)))")
        }
        let probe = try Subprocess.run(asServerUser(["test", "-w", path, "-a", "-x", path]))
        if probe.status != 0 {
            throw LocalPostgresError(
                "the '\(Self.serverUser)' system user cannot reach \(path): a parent directory is not "
                    + "traversable by it (for example /root is mode 700). PostgreSQL cannot run as root, so "
                    + "choose a data directory such as /var/lib/dossierd")
        }
    }

    static func absolutePath(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    /// A libpq conninfo value, quoted when needed.
    static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && !value.contains { $0 == " " || $0 == "'" || $0 == "\\" || $0 == "=" }
        if plain { return value }
        return "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// A word for the shell that `pg_ctl` runs the postmaster through.
    static func shellQuote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Stable 64-bit FNV-1a hash, hex.
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Where the PostgreSQL server programs are (also `pg_dump`, `pg_restore`,
/// `pg_basebackup` of the same version, for backups).
public struct Tools: Sendable {
    public let binDirectory: String

    public func path(_ program: String) -> String { binDirectory + "/" + program }

    /// `pg_config --bindir` if it holds `pg_ctl`, else the newest
    /// `/usr/lib/postgresql/<version>/bin` (Debian keeps server programs off PATH).
    public static func locate() throws -> Tools {
        let fileManager = FileManager.default
        if let result = try? Subprocess.run(["pg_config", "--bindir"]), result.status == 0 {
            let directory = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            if fileManager.isExecutableFile(atPath: directory + "/pg_ctl"),
                fileManager.isExecutableFile(atPath: directory + "/initdb")
            {
                return Tools(binDirectory: directory)
            }
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? fileManager.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap { name -> (Double, String)? in Double(name).map { ($0, name) } }
            .sorted { $0.0 > $1.0 }
        for (_, name) in versions {
            let directory = "\(root)/\(name)/bin"
            if fileManager.isExecutableFile(atPath: directory + "/pg_ctl") { return Tools(binDirectory: directory) }
        }
        throw LocalPostgresError(
            "cannot find the PostgreSQL server programs (initdb, pg_ctl): neither `pg_config --bindir` "
                + "nor /usr/lib/postgresql/*/bin has them; install the postgresql package")
    }

    static func runuser() -> String {
        for candidate in ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "runuser"
    }
}
