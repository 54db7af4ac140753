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
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        try process.run()
        // Read only once the child has the write ends (the parent's copies are closed by run()).
        let output = PipeReader(out.fileHandleForReading), errors = PipeReader(err.fileHandleForReading)
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        _ = await Polling.until(seconds: 60, every: .milliseconds(20)) { !process.isRunning }
        if process.isRunning { process.terminate() }
        // The rest of the output (a grandchild holding the pipe open is not waited for long).
        _ = await Polling.until(seconds: 10, every: .milliseconds(20)) { output.isFinished && errors.isFinished }
        return Result(status: process.terminationStatus, output: String(decoding: output.data, as: UTF8.self),
                      error: String(decoding: errors.data, as: UTF8.self))
    }

    /// The `dossier` console with these arguments (no terminal, no history).
    static func console(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        try await run(try DossierdBinary.path(product: "dossier"), arguments,
                      environment: ["HOME": "/nonexistent", "LANG": "C"].merging(environment) { $1 })
    }
}
