import DossierBackup
import DossierServer
import Foundation
import Postgres
import Testing
import TestSupport

/// The scheduled backup: its schedule (the 1st of every month, and
/// `--backup-every`), one run per occurrence among several daemons, the
/// rotation (`--backup-keep`) and the last backup in STATS.
@Suite struct ScheduledBackupTests {
    let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func monthlyOnTheFirst() {
        let schedule = JobSchedule.monthly(day: 1, at: TimeOfDay("02:00")!)
        // 2026-03-01 02:00 in Shanghai is 2026-02-28 18:00 UTC.
        #expect(schedule.latestOccurrence(atOrBefore: date("2026-03-10T00:00:00Z"), in: shanghai) == date("2026-02-28T18:00:00Z"))
        #expect(schedule.latestOccurrence(atOrBefore: date("2026-02-28T17:59:59Z"), in: shanghai) == date("2026-01-31T18:00:00Z"))
        #expect(schedule.nextOccurrence(after: date("2026-02-28T18:00:00Z"), in: shanghai) == date("2026-03-31T18:00:00Z"))
        #expect(schedule.nextOccurrence(after: date("2026-12-15T00:00:00Z"), in: shanghai) == date("2026-12-31T18:00:00Z"))
        #expect(schedule.description == "monthly on day 1 at 02:00")
    }

    @Test func everyIntervalAndEither() {
        let hourly = JobSchedule.every(seconds: 3600)
        #expect(hourly.latestOccurrence(atOrBefore: date("2026-03-10T05:30:00Z"), in: shanghai) == date("2026-03-10T05:00:00Z"))
        #expect(hourly.nextOccurrence(after: date("2026-03-10T05:00:00Z"), in: shanghai) == date("2026-03-10T06:00:00Z"))
        let both = JobSchedule.anyOf([.monthly(day: 1, at: TimeOfDay("02:00")!), .every(seconds: 7 * 86_400)])
        // Whichever came last / comes first.
        #expect(both.latestOccurrence(atOrBefore: date("2026-03-01T00:00:00Z"), in: shanghai) == date("2026-02-28T18:00:00Z"))
        #expect(both.nextOccurrence(after: date("2026-03-01T00:00:00Z"), in: shanghai) == date("2026-03-05T00:00:00Z"))
        #expect(JobSchedule.seconds("30m") == 1800 && JobSchedule.seconds("1d") == 86_400 && JobSchedule.seconds("2s") == 2)
        #expect(JobSchedule.seconds("5") == nil && JobSchedule.seconds("0h") == nil && JobSchedule.seconds("xm") == nil)
    }

    @Test func rotationKeepsTheNewestComplete() throws {
        let directory = "/tmp/dossier-rotation-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, complete) in [("dossier-20260101T020000.000Z", true), ("dossier-20260201T020000.000Z", false),
                                 ("dossier-20260301T020000.000Z", true), ("dossier-20260401T020000.000Z", true),
                                 ("dossier-20260501T020000.000Z", false), ("other", true)] {
            try FileManager.default.createDirectory(atPath: directory + "/" + name, withIntermediateDirectories: true)
            if complete { FileManager.default.createFile(atPath: directory + "/" + name + "/manifest.json", contents: Data()) }
        }
        #expect(try BackupRotation.prune(directory, keep: 2) == 2)
        // The newest incomplete one may be a backup being written: it stays.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
                == ["dossier-20260301T020000.000Z", "dossier-20260401T020000.000Z", "dossier-20260501T020000.000Z", "other"])
    }

    @Test func twoDaemonsBackUpOncePerOccurrenceAndKeepTheLastTwo() async throws {
        let server = try await TestServer()
        _ = try await Company(server)
        let sql = try server.database.admin()
        defer { sql.close() }
        let directory = "/tmp/dossier-scheduled-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var daemons: [(DaemonProcess, Int)] = []
        for _ in 0..<2 {
            let port = try LineClient.freePort()
            daemons.append((try DaemonProcess(arguments: [
                "serve", "--database-url", server.database.daemonConninfo, "--listen", "127.0.0.1:\(port)",
                "--pool-size", "3", "--pool-timeout", "120", "--jobs-poll", "1",
                "--backup-dir", directory, "--backup-every", "2s", "--backup-keep", "2",
                "--backup-database-url", server.database.adminConninfo,
            ]), port))
        }
        func doneRuns() throws -> Int {
            try sql.query("SELECT count(*)::int8 FROM dossier.job_runs WHERE job = 'backup' AND last_done IS NOT NULL AND claims >= 4")
                .rows[0].decode(0, as: Int.self)
        }
        #expect(try await pollUntil(180) { try doneRuns() == 1 }, "\(daemons.map(\.0.text))")

        // STATS on either daemon shows the last backup.
        for (daemon, _) in daemons { #expect(await daemon.waitForOutput(containing: "listening"), "\(daemon.text)") }
        let admin = try await LineClient(port: daemons[1].1)
        _ = try await admin.readLine()
        _ = try await admin.request("AUTH admin \(TestServer.adminPassword)")
        let stats = try await admin.request("STATS")
        #expect(stats.contains("* name=backup_last_outcome value=ok") || stats.contains("* name=backup_last_outcome value=running"), "\(stats)")
        #expect(stats.contains { $0.hasPrefix("* name=backup_last_done value=20") }, "\(stats)")
        #expect(stats.contains { $0.hasPrefix("* name=backup_last_result value=\"files=") }, "\(stats)")

        for (daemon, _) in daemons {
            daemon.terminate()
            #expect(await daemon.waitForExit() == 0, "\(daemon.text)")
        }
        // Each claim ran in one daemon only: as many runs logged as claims made.
        let claims = try sql.query("SELECT claims FROM dossier.job_runs WHERE job = 'backup'").rows[0].decode(0, as: Int.self)
        let runs = daemons.map { $0.0.text.components(separatedBy: "job name=backup reason=").count - 1 }.reduce(0, +)
        #expect(runs == claims, "\(daemons.map(\.0.text))")
        #expect(daemons.allSatisfy { !$0.0.text.contains("job name=backup reason=") || $0.0.text.contains("outcome=done files=") })
        // Two complete backups kept, each one sound.
        let kept = BackupRotation.complete(in: directory)
        #expect(kept.count == 2, "\(kept)")
        for name in kept { _ = try Restore.verify(directory: directory + "/" + name) }
        try await server.shutdown()
    }
}
