import Foundation

/// A `dossierd` child process with its output captured, for tests of the
/// binary as an operator runs it.
public final class DaemonProcess: @unchecked Sendable {
    public let process = Process()
    private let reader: PipeReader

    public init(arguments: [String], environment: [String: String]? = nil) throws {
        process.executableURL = URL(fileURLWithPath: try DossierdBinary.path())
        process.arguments = arguments
        if let environment {
            process.environment = environment
        } else {
            // Customers' personal data is sealed with a key file every daemon is given.
            var inherited = ProcessInfo.processInfo.environment
            if inherited["DOSSIER_DATA_KEY_FILE"] == nil { inherited["DOSSIER_DATA_KEY_FILE"] = TestDataKeyFile.path }
            process.environment = inherited
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // A thread of its own reads the output (see PipeReader for why not a readabilityHandler).
        reader = PipeReader(output.fileHandleForReading)
    }

    /// Everything printed so far (stdout and stderr).
    public var text: String {
        String(decoding: reader.data, as: UTF8.self)
    }

    /// Waits until the output contains `needle` (or the process ends, or time runs out).
    @discardableResult
    public func waitForOutput(containing needle: String, seconds: Double = 120) async -> Bool {
        _ = await Polling.until(seconds: seconds) { text.contains(needle) || !process.isRunning }
        return text.contains(needle)
    }

    /// Waits for the process to exit; returns its status (nil if it is still running after `seconds`).
    public func waitForExit(seconds: Double = 60) async -> Int32? {
        guard await Polling.until(seconds: seconds, { !process.isRunning }) else { return nil }
        // Let the last output arrive.
        try? await Task.sleep(for: .milliseconds(100))
        return process.terminationStatus
    }

    public func terminate() { process.terminate() }  // SIGTERM

    public func interrupt() { process.interrupt() }  // SIGINT

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
