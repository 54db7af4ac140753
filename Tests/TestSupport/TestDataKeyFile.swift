import Foundation

/// The data key file every test daemon is given (`DOSSIER_DATA_KEY_FILE` for
/// `dossierd` child processes, `PersonalData.test` in process): fixed keys, so
/// data written by one kind of test daemon opens in the other.
public enum TestDataKeyFile {
    public static let firstLine = "ktest-a " + Data(repeating: 0x11, count: 32).base64EncodedString()
    public static let secondLine = "ktest-b " + Data(repeating: 0x22, count: 32).base64EncodedString()

    /// A file holding `firstLine`, written once per test process.
    public static let path: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dossier-test-\(getpid()).keys").path
        FileManager.default.createFile(atPath: path, contents: Data((firstLine + "\n").utf8), attributes: [.posixPermissions: 0o600])
        return path
    }()
}
