import Crypto
import Foundation

/// The master keys of the data key file (`--data-key-file`): they wrap the
/// per-customer data keys and key the blind indexes. They live outside the
/// database; every daemon (and `migrate`, `import`, `export`, `keys`) is given
/// the same file.
///
/// File format: one key a line, `<id> <base64 of 32 random bytes>`; `#` starts
/// a comment. The last key is the current one: new customers' data keys are
/// wrapped with it and `dossierd keys rotate` moves every customer to it. A
/// key stays in the file while any customer's data key is wrapped with it.
public struct DataKeyring: Sendable {
    public let keys: [MasterKey]

    public enum Failure: Error, CustomStringConvertible {
        case unreadable(String, String)
        case malformed(line: Int, String)
        case empty
        case duplicate(String)

        public var description: String {
            switch self {
            case .unreadable(let path, let why): "cannot read the data key file \(path): \(why)"
            case .malformed(let line, let why): "data key file, line \(line): \(why)"
            case .empty: "the data key file holds no key"
            case .duplicate(let id): "the data key file names key \(id) twice"
            }
        }
    }

    public init(keys: [MasterKey]) throws {
        guard !keys.isEmpty else { throw Failure.empty }
        var seen = Set<String>()
        for key in keys where !seen.insert(key.id).inserted { throw Failure.duplicate(key.id) }
        self.keys = keys
    }

    /// Parses the file's text.
    public init(text: String) throws {
        var keys: [MasterKey] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2 else { throw Failure.malformed(line: index + 1, "expected `<id> <base64 key>`") }
            guard MasterKey.isValidID(String(parts[0])) else {
                throw Failure.malformed(line: index + 1, "a key id is 1 to 32 letters, digits, - or _")
            }
            guard let bytes = Data(base64Encoded: String(parts[1])), bytes.count == MasterKey.byteCount else {
                throw Failure.malformed(line: index + 1, "the key must be base64 of \(MasterKey.byteCount) bytes")
            }
            keys.append(MasterKey(id: String(parts[0]), secret: SymmetricKey(data: bytes)))
        }
        try self.init(keys: keys)
    }

    /// The key new data keys are wrapped with: the file's last.
    public var current: MasterKey { keys[keys.count - 1] }

    public func key(id: String) -> MasterKey? { keys.first { $0.id == id } }

    public static func load(file path: String) throws -> DataKeyring {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw Failure.unreadable(path, "\(error)") }
        return try DataKeyring(text: text)
    }

    /// The embedded default's key file: read, or created (mode 0600) with one new key.
    public static func loadOrCreate(file path: String) throws -> DataKeyring {
        if FileManager.default.fileExists(atPath: path) { return try load(file: path) }
        guard SecretFile.write(header + MasterKey.generateLine() + "\n", to: path)
        else { throw Failure.unreadable(path, "could not create it") }
        return try load(file: path)
    }

    /// `dossierd keys add`: appends a new key, which becomes the current one.
    @discardableResult
    public static func appendNewKey(file path: String) throws -> MasterKey {
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? header
        let line = MasterKey.generateLine()
        let text = existing + (existing.hasSuffix("\n") || existing.isEmpty ? "" : "\n") + line + "\n"
        guard SecretFile.write(text, to: path) else { throw Failure.unreadable(path, "could not write it") }
        return try load(file: path).current
    }

    static let header = """
        # dossierd data keys (README "Personal data protection"): <id> <base64 of 32 bytes>.
        # The last line is the current key. Keep every line until `dossierd keys rotate` says no customer uses it.
        # Without this file the encrypted customer fields cannot be read: back it up apart from the database.

        """
}

/// One master key: its id (stored beside every wrapped data key) and the keys
/// derived from it (HKDF-SHA256), one per purpose.
public struct MasterKey: Sendable {
    public let id: String
    // Bytes, not SymmetricKey (not Sendable in swift-crypto 3): made into keys where used.
    private let wrappingBytes: [UInt8]
    private let indexBytes: [UInt8]
    var wrapping: SymmetricKey { SymmetricKey(data: wrappingBytes) }
    var index: SymmetricKey { SymmetricKey(data: indexBytes) }
    /// A MAC of a fixed text: the database keeps it per key id (`data_keys`),
    /// so a daemon given a different key under the same id is refused.
    public let check: [UInt8]

    static let byteCount = 32

    init(id: String, secret: SymmetricKey) {
        self.id = id
        wrappingBytes = Self.derive(secret, "dossier customer key wrapping v1")
        indexBytes = Self.derive(secret, "dossier blind index v1")
        let checking = SymmetricKey(data: Self.derive(secret, "dossier key check v1"))
        check = Array(HMAC<Crypto.SHA256>.authenticationCode(for: Array("dossier data key check".utf8), using: checking))
    }

    private static func derive(_ secret: SymmetricKey, _ purpose: String) -> [UInt8] {
        HKDF<Crypto.SHA256>.deriveKey(inputKeyMaterial: secret, info: Array(purpose.utf8), outputByteCount: 32)
            .withUnsafeBytes { Array($0) }
    }

    static func isValidID(_ id: String) -> Bool {
        (1...32).contains(id.count) && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// A new key line: `k<8 hex> <base64>`.
    static func generateLine() -> String {
        let secret = SymmetricKey(size: .bits256)
        var generator = SystemRandomNumberGenerator()
        let id = "k" + (0..<4).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let base64 = secret.withUnsafeBytes { Data($0).base64EncodedString() }
        return "\(id) \(base64)"
    }
}
