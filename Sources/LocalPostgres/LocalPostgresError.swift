import Foundation

/// A failure managing a local cluster, with the command and its output.
public struct LocalPostgresError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The command line that failed, if any.
    public var command: String?
    /// The command's stdout and stderr.
    public var output: String?

    public init(_ message: String, command: String? = nil, output: String? = nil) {
        self.message = message
        self.command = command
        self.output = output
    }

    public var description: String {
        var text = message
        if let command { text += "\n  command: \(command)" }
        if let output {
            let trimmed = output.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { text += "\n  output:\n" + trimmed.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n") }
        }
        return text
    }
}
