import Foundation
import LocalPostgres
import Testing
import TestSupport

/// `deploy/systemd`: the units pass `systemd-analyze verify` (where systemd is
/// installed), and their `ExecStart` is the command the README documents,
/// with options this binary accepts.
@Suite struct SystemdUnitTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let installedBinary = "/usr/local/bin/dossierd"

    static func execStart(_ unit: String) throws -> String {
        let text = try String(contentsOfFile: root + "/deploy/systemd/" + unit, encoding: .utf8)
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("ExecStart=") }
        try #require(lines.count == 1, "\(unit) has \(lines.count) ExecStart lines")
        return String(lines[0].dropFirst("ExecStart=".count))
    }

    @Test func execStartIsTheDocumentedCommand() async throws {
        let readme = try String(contentsOfFile: Self.root + "/README.md", encoding: .utf8)
        for unit in ["dossierd.service", "dossierd@.service"] {
            let command = try Self.execStart(unit)
            #expect(command.hasPrefix(Self.installedBinary + " serve "), "\(command)")
            #expect(readme.contains(command), "README.md does not document \(unit)'s command: \(command)")
        }
        // The options exist: the command gets as far as the database (unreachable
        // here) instead of stopping at its arguments.
        // The unit's certificate paths point at throwaway files here.
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let arguments = try Self.execStart("dossierd.service").split(separator: " ").dropFirst().map {
            $0 == "/etc/dossierd/tls/dossierd.pem" ? certificates.serverCert
                : $0 == "/etc/dossierd/tls/dossierd.key" ? certificates.serverKey : String($0)
        }
        var environment = ProcessInfo.processInfo.environment
        environment["DOSSIER_DATABASE_URL"] = "host=/nonexistent-dossier-socket port=1 dbname=dossier connect_timeout=1"
        let process = try DaemonProcess(arguments: arguments, environment: environment)
        let status = await process.waitForExit(seconds: 120)
        #expect(status != nil && status != 0)
        #expect(!process.text.contains("Usage:") && !process.text.contains("Unknown option"), "\(process.text)")
        #expect(process.text.contains("nonexistent-dossier-socket"), "\(process.text)")
    }

    @Test func systemdAnalyzeVerifyPasses() throws {
        guard let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first(where: FileManager.default.isExecutableFile) else {
            print("SKIPPED systemd-analyze verify: systemd-analyze is not installed on this machine")
            return
        }
        // verify checks that ExecStart's program exists: point it at this build's binary.
        let directory = "/tmp/dossier-units-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let binary = try DossierdBinary.path()
        for unit in ["dossierd.service", "dossierd@.service"] {
            let text = try String(contentsOfFile: Self.root + "/deploy/systemd/" + unit, encoding: .utf8)
            try text.replacingOccurrences(of: Self.installedBinary, with: binary)
                .write(toFile: directory + "/" + unit, atomically: true, encoding: .utf8)
        }
        for name in ["dossierd.service", "dossierd@office-sh.service"] {
            let result = try Subprocess.run([analyze, "verify", directory + "/" + name])
            // It exits 0 on unknown keys too, with a warning: any output is a finding.
            #expect(result.status == 0 && result.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                    "systemd-analyze verify \(name): \(result.output)")
        }
    }
}
