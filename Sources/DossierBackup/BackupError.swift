/// Why a backup or a restore stopped; the message is for the operator.
public struct BackupError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
