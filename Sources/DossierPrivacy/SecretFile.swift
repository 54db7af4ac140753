import Foundation

/// A file only its owner may read (keys, passwords): written whole under a
/// temporary name with mode 0600 and a strict umask, then renamed into place,
/// so no reader ever sees it half-written or with wider permissions.
public enum SecretFile {
    /// Writes `text` to `path`; false when it could not be written.
    public static func write(_ text: String, to path: String) -> Bool {
        let staged = path + ".new"
        let old = umask(0o077)
        defer { umask(old) }
        return FileManager.default.createFile(atPath: staged, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
            && rename(staged, path) == 0
    }
}
