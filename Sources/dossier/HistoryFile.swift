import DossierConsole
import Glibc

/// Keeps `History` in a file (`~/.dossier_history`), readable only by its owner.
/// Saved after every kept line, so a killed client loses nothing; failures are
/// silent, because history is a convenience and must never stop the console.
struct HistoryFile {
    let path: String
    let limit: Int

    /// `~/.dossier_history`; nil without a home directory.
    static func standard(limit: Int = 1000) -> HistoryFile? {
        guard let home = getenv("HOME").map({ String(cString: $0) }), !home.isEmpty else { return nil }
        return HistoryFile(path: home + "/.dossier_history", limit: limit)
    }

    func load() -> History {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return History(limit: limit) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return History(fileContents: String(decoding: bytes, as: UTF8.self), limit: limit)
    }

    /// Writes a temporary file and renames it over the old one, so a crash never
    /// leaves half a history.
    func save(_ history: History) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        var bytes = Array(history.fileContents.utf8)[...]
        var ok = true
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { ok = false; break }
            bytes = bytes.dropFirst(written)
        }
        close(fd)
        if ok { rename(temporary, path) } else { unlink(temporary) }
    }
}
