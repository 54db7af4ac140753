import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The outcome of a finished command.
public struct CommandOutput: Sendable {
    public var status: Int32
    /// stdout and stderr, interleaved.
    public var output: String
}

/// Runs short-lived commands (initdb, pg_ctl) with `posix_spawn`.
///
/// Output goes to a temporary file rather than a pipe: `pg_ctl start` leaves
/// a postmaster running, and a pipe it inherited would never reach EOF.
/// Descriptors above 2 are closed in the child, so the long-lived postmaster
/// does not keep the test runner's pipes open.
public enum Subprocess {
    public static func run(_ arguments: [String]) throws(LocalPostgresError) -> CommandOutput {
        precondition(!arguments.isEmpty)
        let commandLine = arguments.joined(separator: " ")

        var template = Array("/tmp/dossier-cmd-XXXXXX".utf8CString)
        let outputFD = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard outputFD >= 0 else {
            throw LocalPostgresError("cannot create a temporary file for command output: \(String(cString: strerror(errno)))", command: commandLine)
        }
        let outputPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer {
            close(outputFD)
            unlink(outputPath)
        }
        _ = fcntl(outputFD, F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 2)
        // The postgres user may not be able to enter our working directory.
        GlibcExtensions.addChdir(&actions, "/")
        GlibcExtensions.addCloseFrom(&actions, 3)

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }

        var pid = pid_t()
        let spawnStatus = argv.withUnsafeBufferPointer { args in
            posix_spawnp(&pid, arguments[0], &actions, nil, args.baseAddress!, environ)
        }
        guard spawnStatus == 0 else {
            throw LocalPostgresError("cannot run \(arguments[0]): \(String(cString: strerror(spawnStatus)))", command: commandLine)
        }
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 {
            guard errno == EINTR else {
                throw LocalPostgresError("waitpid failed: \(String(cString: strerror(errno)))", command: commandLine)
            }
        }
        let output = readAll(outputFD)
        // WIFEXITED / WEXITSTATUS are macros Swift does not import.
        let exitStatus: Int32 = (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f)
        return CommandOutput(status: exitStatus, output: output)
    }

    /// Reads the whole file from the start (POSIX; Foundation's file reading
    /// leaks a buffer on empty files in this toolchain).
    private static func readAll(_ fd: Int32) -> String {
        guard lseek(fd, 0, SEEK_SET) == 0 else { return "" }
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[0..<count])
            } else if count < 0, errno == EINTR {
                continue
            } else {
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs a command and throws with its output unless it exits with 0.
    @discardableResult
    public static func check(_ arguments: [String], what: String) throws(LocalPostgresError) -> String {
        let result = try run(arguments)
        guard result.status == 0 else {
            throw LocalPostgresError(
                "\(what) failed (exit status \(result.status))",
                command: arguments.joined(separator: " "), output: result.output)
        }
        return result.output
    }
}

/// glibc extensions Swift's Glibc module does not export (they need
/// _GNU_SOURCE); looked up at run time and skipped where missing.
private enum GlibcExtensions {
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let pointer = dlsym(handle, name) else { return nil }
        return unsafeBitCast(pointer, to: type)
    }

    static func addChdir(_ actions: inout posix_spawn_file_actions_t, _ path: String) {
        guard let function = symbol("posix_spawn_file_actions_addchdir_np", as: AddChdir.self) else { return }
        _ = function(&actions, path)
    }

    static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) {
        guard let function = symbol("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self) else { return }
        _ = function(&actions, lowest)
    }
}
