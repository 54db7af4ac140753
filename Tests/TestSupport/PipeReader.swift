import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a pipe to its end on a thread of its own, with blocking reads.
///
/// Not `FileHandle.readabilityHandler`: on Linux, setting up and tearing down
/// its dispatch read sources while other tests do the same corrupts
/// libdispatch's epoll bookkeeping and crashes the test process in
/// `_dispatch_event_loop_drain` (swift-corelibs-libdispatch#949; seen here in
/// CI). A blocking read never registers the descriptor with libdispatch.
public final class PipeReader: @unchecked Sendable {
    private let lock = NSLock()
    private var collected = Data()
    private var ended = false

    /// Starts reading `handle` (the read end of a pipe) until end of file.
    public init(_ handle: FileHandle) {
        let fd = handle.fileDescriptor
        let thread = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                lock.lock()
                collected.append(contentsOf: chunk[..<count])
                lock.unlock()
            }
            lock.lock()
            ended = true
            lock.unlock()
            // The handle owns the descriptor: it stays open until here.
            withExtendedLifetime(handle) {}
        }
        thread.start()
    }

    /// Everything read so far.
    public var data: Data {
        lock.lock()
        defer { lock.unlock() }
        return collected
    }

    /// Whether the writers have all closed the pipe and everything is read.
    public var isFinished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return ended
    }
}
