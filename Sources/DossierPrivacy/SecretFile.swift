import Foundation
import Glibc

/// A file only its owner may read (keys, passwords, exports with personal
/// data): written whole under a temporary name created with mode 0600,
/// flushed to disk, then renamed into place, so no reader ever sees it
/// half-written or with wider permissions, and a crash leaves either the old
/// file or the new one.
///
/// The process umask is left alone: it is shared by every thread, and
/// narrowing it for a moment made directories created meanwhile by other
/// threads (a backup's, a cluster's) mode 0700, out of the `postgres` user's
/// reach.
public enum SecretFile {
    /// Writes `text` to `path`; false when it could not be written.
    public static func write(_ text: String, to path: String) -> Bool {
        write(Array(text.utf8), to: path)
    }

    /// Writes `bytes` to `path`; false when it could not be written.
    public static func write(_ bytes: [UInt8], to path: String) -> Bool {
        let staged = path + ".new"
        unlink(staged)  // left by a crash; O_EXCL below refuses anything already there, links included
        let fd = open(staged, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        // fchmod: a umask stricter than 0077 (0277, say) narrows even 0600.
        let file = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        let written = (try? file.write(contentsOf: bytes)) != nil && fchmod(fd, 0o600) == 0 && (try? file.synchronize()) != nil
        guard close(fd) == 0, written, rename(staged, path) == 0 else {
            unlink(staged)
            return false
        }
        syncDirectory(of: path)
        return true
    }

    /// The rename reaches the disk with the directory; best effort (a
    /// directory that cannot be opened still holds the renamed file).
    private static func syncDirectory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
