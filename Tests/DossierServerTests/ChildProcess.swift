import Foundation
import TestSupport

/// A child process run to its end without blocking a thread of the pool the
/// in-process server needs.
enum ChildProcess {
    struct Result {
        let status: Int32
        let output: String
        let error: String
    }

    static func run(_ executable: String, _ arguments: [String], input: String? = nil,
                    environment: [String: String]? = nil) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe(), stdin = Pipe()
        let collected = CollectedOutput()
        out.fileHandleForReading.readabilityHandler = { collected.append($0.availableData, error: false) }
        err.fileHandleForReading.readabilityHandler = { collected.append($0.availableData, error: true) }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        _ = await Polling.until(seconds: 60, every: .milliseconds(20)) { !process.isRunning }
        if process.isRunning { process.terminate() }
        try await Task.sleep(for: .milliseconds(100))
        out.fileHandleForReading.readabilityHandler = nil
        err.fileHandleForReading.readabilityHandler = nil
        collected.append(out.fileHandleForReading.readDataToEndOfFile(), error: false)
        collected.append(err.fileHandleForReading.readDataToEndOfFile(), error: true)
        return Result(status: process.terminationStatus, output: collected.standardOutput, error: collected.standardError)
    }

    /// The `dossier` console with these arguments (no terminal, no history).
    static func console(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        try await run(try DossierdBinary.path(product: "dossier"), arguments,
                      environment: ["HOME": "/nonexistent", "LANG": "C"].merging(environment) { $1 })
    }
}

/// Output of a child process, collected from its pipes' handlers.
final class CollectedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var output = Data()
    private var errors = Data()

    func append(_ data: Data, error: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if error { errors.append(data) } else { output.append(data) }
    }

    var standardOutput: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: output, as: UTF8.self)
    }

    var standardError: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: errors, as: UTF8.self)
    }
}
