import Foundation
import Testing
import TestSupport

/// `serve --metrics-listen`: `/metrics`, `/health` and `/ready`, scraped with a
/// plain HTTP/1.1 client over a real socket, while counters move.
@Suite struct MetricsEndpointTests {
    /// One GET; the status line and the body.
    static func get(_ port: Int, _ path: String) async throws -> (status: String, body: String) {
        let client = try await LineClient(port: port)
        try await client.send(bytes: Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        var lines: [String] = []
        while let line = try await client.readLine() { lines.append(line.hasSuffix("\r") ? String(line.dropLast()) : line) }
        let blank = lines.firstIndex(of: "") ?? lines.count
        return (lines.first ?? "", lines[min(blank + 1, lines.count)...].joined(separator: "\n"))
    }

    /// The value of the sample `name{labels…}` (labels in any order), or nil.
    static func value(_ metrics: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in metrics.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            let wanted = labels.allSatisfy { line.contains("\($0.key)=\"\($0.value)\"") }
            if wanted, let number = line.split(separator: " ").last.flatMap({ Double($0) }) { return number }
        }
        return nil
    }

    @Test func countersMoveAndProbesAnswer() async throws {
        let server = try await TestServer()
        let port = try LineClient.freePort(), metricsPort = try LineClient.freePort()
        let daemon = try DaemonProcess(arguments: [
            "serve", "--database-url", server.database.daemonConninfo, "--listen", "127.0.0.1:\(port)",
            "--metrics-listen", "127.0.0.1:\(metricsPort)", "--pool-size", "3", "--max-connections", "2", "--jobs-poll", "1",
        ])
        defer { daemon.terminate() }
        #expect(await daemon.waitForOutput(containing: "metrics listening"), "\(daemon.text)")
        #expect(await daemon.waitForOutput(containing: "job name=purge"), "\(daemon.text)")

        #expect(try await Self.get(metricsPort, "/health") == ("HTTP/1.1 200 OK", "alive"))
        let ready = try await Self.get(metricsPort, "/ready")
        #expect(ready.status == "HTTP/1.1 200 OK" && ready.body.hasPrefix("ready: database reachable, schema version "), "\(ready)")
        #expect(try await Self.get(metricsPort, "/nothing").status == "HTTP/1.1 404 Not Found")

        let before = try await Self.get(metricsPort, "/metrics")
        #expect(before.status == "HTTP/1.1 200 OK")
        let pingsBefore = Self.value(before.body, "dossier_commands_total", ["verb": "PING", "outcome": "OK"]) ?? 0

        // Three PINGs, a wrong password, and a third client refused at --max-connections 2.
        let first = try await LineClient(port: port)
        _ = try await first.readLine()
        for _ in 0..<3 { #expect(try await first.request("PING") == ["OK PONG"]) }
        #expect(try await first.request("AUTH admin wrong") == ["ERR AUTH invalid credentials"])
        let second = try await LineClient(port: port)
        _ = try await second.readLine()
        let third = try await LineClient(port: port)
        #expect(try await third.readLine()?.hasPrefix("ERR LIMIT") == true)

        let after = try await Self.get(metricsPort, "/metrics").body
        #expect(Self.value(after, "dossier_commands_total", ["verb": "PING", "outcome": "OK"]) == pingsBefore + 3, "\(after)")
        #expect(Self.value(after, "dossier_commands_total", ["verb": "AUTH", "outcome": "AUTH"]) == 1, "\(after)")
        #expect(Self.value(after, "dossier_command_duration_seconds_count", ["verb": "PING"]) == pingsBefore + 3, "\(after)")
        #expect(Self.value(after, "dossier_command_duration_seconds_bucket", ["verb": "PING", "le": "+Inf"]) == pingsBefore + 3, "\(after)")
        #expect(Self.value(after, "dossier_connections_open") == 2, "\(after)")
        #expect((Self.value(after, "dossier_connections_accepted_total") ?? 0) >= 2, "\(after)")
        #expect(Self.value(after, "dossier_connections_refused_total") == 1, "\(after)")
        #expect(Self.value(after, "dossier_pool_size") == 3, "\(after)")
        #expect(Self.value(after, "dossier_pool_in_use") != nil && Self.value(after, "dossier_pool_waiting") == 0, "\(after)")
        #expect(Self.value(after, "dossier_pool_timeouts_total") == nil || Self.value(after, "dossier_pool_timeouts_total") == 0)
        // No DOSSIER SHOW ran, so none shared a commit (the counts are ConnectionPool.groupedCommits, CommitGroupTests).
        #expect((Self.value(after, "dossier_commit_groups_total") ?? 0) == 0, "\(after)")
        #expect((Self.value(after, "dossier_db_connects_total") ?? 0) >= 1, "\(after)")
        #expect(Self.value(after, "dossier_job_runs_total", ["job": "purge", "outcome": "done"]) == 1, "\(after)")
        #expect(Self.value(after, "dossier_job_duration_seconds_count", ["job": "purge", "outcome": "done"]) == 1, "\(after)")
        // No backup has run on this database (no --backup-dir with a URL).
        #expect(Self.value(after, "dossier_backup_last_ok") == 0, "\(after)")
        #expect(Self.value(after, "dossier_backup_last_success_timestamp_seconds") == 0, "\(after)")

        daemon.terminate()
        #expect(await daemon.waitForExit() == 0, "\(daemon.text)")
        try await server.shutdown()
    }
}
