import Crypto
import DossierPrivacy
import Foundation

/// The key that seals the audit chains (`AuditSeals`). The daemons hold it;
/// the database never does (only its `id`, a MAC of a fixed text under it,
/// so that a seal made with another key is told apart from a forged one).
public struct AuditKey: Sendable {
    let bytes: [UInt8]

    /// At least 32 bytes: the UTF-8 of the key text, surrounding whitespace removed.
    public static let minimumLength = 32

    public enum Failure: Error, CustomStringConvertible {
        case tooShort
        case unreadable(String, String)

        public var description: String {
            switch self {
            case .tooShort: "the audit key must be at least \(AuditKey.minimumLength) characters"
            case .unreadable(let path, let why): "cannot read the audit key file \(path): \(why)"
            }
        }
    }

    public init(text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.utf8.count >= Self.minimumLength else { throw Failure.tooShort }
        bytes = Array(trimmed.utf8)
    }

    /// Reads a key file (its text is the key).
    public static func load(file path: String) throws -> AuditKey {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw Failure.unreadable(path, "\(error)") }
        return try AuditKey(text: text)
    }

    /// The key file of the embedded default: read, or created on first use
    /// with 64 random hex characters, readable by its owner only.
    public static func loadOrCreate(file path: String) throws -> AuditKey {
        if FileManager.default.fileExists(atPath: path) { return try load(file: path) }
        var generator = SystemRandomNumberGenerator()
        let text = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        guard SecretFile.write(text + "\n", to: path) else { throw Failure.unreadable(path, "could not create it") }
        return try AuditKey(text: text)
    }

    /// Names the key in each seal.
    public var id: String { Hex.string(mac(Array("dossier-audit-key-id".utf8)).prefix(8)) }

    /// HMAC-SHA256 (swift-crypto) of `message` under the key.
    func mac(_ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: bytes)))
    }

    /// Compares two codes in time that does not depend on where they differ.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Lowercase hex of bytes, and back.
enum Hex {
    static func string<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
