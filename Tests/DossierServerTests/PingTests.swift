@testable import DossierServer
import DossierProtocol
import Logging
import Synchronization
import Testing
import TestSupport

/// PING over the protocol after its fast path and log-level change (issue 17):
/// every form is answered as the general parser would, pipelined PINGs are
/// answered in order between other commands, each PING is counted by `STATS`,
/// and a bare PING's log line is at debug while errors stay at info.
@Suite struct PingTests {
    /// The answer the general path (tokenizer, table, argument binding) gives.
    static func expected(_ line: String, authenticated: Bool, language: Language = .english) -> [String] {
        do {
            guard let request = try RequestLine.parse(line) else { return [] }
            let command = try CommandParser.parse(request, authenticated: authenticated)
            #expect(command == .ping, "\(line.debugDescription)")
            return ["OK PONG"]
        } catch {
            let text = TextResponseEncoder.encode(Response.error(error).localized(to: language))
            return [String(text.dropLast())]
        }
    }

    static let lines = ["PING", "ping", "PiNg", " \tPING \t", "\"PING\"", "PING x", "PING x y", "PINGS", "ＰＩＮＧ", "pıng",
                        "PING\u{3000}", "PING key=value"]

    @Test func everyFormAnsweredAsTheGeneralPathAnswersIt() async throws {
        let server = try await TestServer()
        let anonymous = try await server.client()
        for line in Self.lines {
            #expect(try await anonymous.request(line) == Self.expected(line, authenticated: false), "\(line.debugDescription)")
        }
        #expect(try await anonymous.request("PING") == ["OK PONG"])
        #expect(try await anonymous.request("ping x") == ["ERR ARGS too many arguments; usage: PING"])
        let admin = try await server.admin()
        for line in Self.lines {
            #expect(try await admin.request(line) == Self.expected(line, authenticated: true), "\(line.debugDescription)")
        }
        #expect(try await admin.request("LANG zh-CN") == ["OK"])
        for line in Self.lines {
            #expect(try await admin.request(line) == Self.expected(line, authenticated: true, language: .chinese),
                    "\(line.debugDescription)")
        }
        #expect(try await admin.request("FORMAT json") == [#"{"ok":true,"message":"","rows":[]}"#])
        #expect(try await admin.request("ping") == [#"{"ok":true,"message":"PONG","rows":[]}"#])
        try await server.shutdown()
    }

    @Test func pipelinedPingsAnsweredInOrderAndCounted() async throws {
        let log = RecordedCommandLog()
        let server = try await TestServer(logger: log.logger(level: .debug))
        let admin = try await server.admin()
        let before = try Self.commandCount(in: try await admin.request("STATS"))
        var batch = ""
        for index in 0..<300 {
            batch += ["PING\n", "ping x\n", "WHOAMI\n"][index % 3]
        }
        try await admin.send(bytes: Array(batch.utf8))
        for index in 0..<300 {
            let answer = try await admin.readResponse()
            let wanted = [["OK PONG"], ["ERR ARGS too many arguments; usage: PING"], ["OK admin role=admin dept=HQ"]][index % 3]
            #expect(answer == wanted, "answer \(index)")
        }
        // The first STATS counts too; the second answers before it is counted.
        let stats = try await admin.request("STATS")
        #expect(try Self.commandCount(in: stats) == before + 300 + 1, "\(stats)")
        #expect(stats.contains("* name=command_errors value=100"), "\(stats)")
        try await server.shutdown()

        let commands = log.entries.filter { $0.message.hasPrefix("command ") }
        let pings = commands.filter { $0.message.contains(" verb=PING ") }
        let errors = commands.filter { $0.message.contains(" outcome=ARGS ") }
        let whoami = commands.filter { $0.message.contains(" verb=WHOAMI ") }
        #expect(pings.count == 100 && pings.allSatisfy { $0.level == .debug && $0.message.contains(" outcome=OK ") })
        #expect(errors.count == 100 && errors.allSatisfy { $0.level == .info && $0.message.contains(" verb=- ") })
        #expect(whoami.count == 100 && whoami.allSatisfy { $0.level == .info })
    }

    @Test func logLevelOfACommand() {
        #expect(CommandLogLevel.of(.ping) == .debug)
        for command: Command in [.whoami, .quit, .help(.all), .format(.json), .stats] {
            #expect(CommandLogLevel.of(command) == .info, "\(command)")
        }
    }

    @Test func atInfoNoPingLineIsWritten() async throws {
        let log = RecordedCommandLog()
        let server = try await TestServer(logger: log.logger(level: .info))
        let client = try await server.client()
        #expect(try await client.request("PING") == ["OK PONG"])
        #expect(try await client.request("PING x") == ["ERR ARGS too many arguments; usage: PING"])
        try await server.shutdown()
        let commands = log.entries.filter { $0.message.hasPrefix("command ") }
        #expect(commands.count == 1 && commands[0].message.contains(" outcome=ARGS "), "\(commands)")
    }

    static func commandCount(in stats: [String]) throws -> Int {
        let line = try #require(stats.first { $0.hasPrefix("* name=commands value=") })
        return try #require(Int(line.dropFirst("* name=commands value=".count)))
    }
}

/// Log entries kept in memory with their level.
final class RecordedCommandLog: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
    }

    private let stored = Mutex<[Entry]>([])
    var entries: [Entry] { stored.withLock { $0 } }

    func logger(level: Logger.Level) -> Logger {
        var logger = Logger(label: "recorded") { _ in Handler(log: self) }
        logger.logLevel = level
        return logger
    }

    struct Handler: LogHandler {
        let log: RecordedCommandLog
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?,
                 source: String, file: String, function: String, line: UInt) {
            log.stored.withLock { $0.append(Entry(level: level, message: "\(message)")) }
        }
    }
}
