@testable import DossierPrivacy
import Foundation
import Glibc
import Testing

/// Secret files (key files, the daemon's passfile): owner-only, whole, and
/// written without touching what the rest of the process shares.
@Suite struct SecretFileTests {
    @Test func writesOwnerOnlyReplacesWholeAndLeavesNothingStaged() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/keys"

        #expect(SecretFile.write("第一行 k1\n", to: path))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "第一行 k1\n")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber == 0o600)

        // A crash between creating the staged file and the rename left it behind.
        #expect(FileManager.default.createFile(atPath: path + ".new", contents: Data("half".utf8)))
        #expect(SecretFile.write("k2\n", to: path))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "k2\n")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber == 0o600)
        #expect(!FileManager.default.fileExists(atPath: path + ".new"))

        #expect(!SecretFile.write("x", to: directory + "/missing/keys"), "a directory that is not there: false, nothing written")
    }

    /// The umask is one per process: narrowing it while writing made a
    /// directory another thread created meanwhile 0700, which the `postgres`
    /// user could not enter (CI saw clusters, backups and PITR scripts fail
    /// at once while a key file was written).
    @Test func leavesTheProcessUmaskAlone() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let before = try Self.processUmask()

        let writing = DispatchGroup()
        writing.enter()
        DispatchQueue.global().async {
            for i in 0..<200 { _ = SecretFile.write("k\(i)\n", to: directory + "/keys") }
            writing.leave()
        }
        var seen: Set<String> = []
        repeat {
            seen.insert(try Self.processUmask())
        } while writing.wait(timeout: .now()) == .timedOut
        #expect(try String(contentsOfFile: directory + "/keys", encoding: .utf8) == "k199\n")
        #expect(seen == [before], "the umask while secret files were written: \(seen.sorted()), before: \(before)")
    }

    /// The `Umask:` line of /proc/self/status (Linux), read without changing it.
    static func processUmask() throws -> String {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces)
    }
}
