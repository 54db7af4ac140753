import Crypto
import Foundation

/// The SHA-256 checksums of backup files (swift-crypto), read in pieces so a
/// dump of any size takes bounded memory.
public enum FileChecksum {
    /// Lowercase hex SHA-256 of bytes in memory.
    public static func sha256(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// Lowercase hex SHA-256 of a file, read 1 MiB at a time.
    public static func sha256(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hex(hasher.finalize())
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
