import Synchronization

/// The database work of the commands now running, so the server can cancel it
/// at the shutdown deadline while each session stays alive to say so: the
/// work runs in a task of its own, whose cancellation reaches the pool (a
/// waiting job is withdrawn, a running statement is cancelled with `PQcancel`)
/// and comes back to the session as an error it answers like any other.
final class InFlightCommands: Sendable {
    private struct State {
        var nextID = 0
        var cancels: [Int: @Sendable () -> Void] = [:]
        var cancelled = false
    }

    private let state = Mutex(State())

    /// Runs `work` as cancellable command work, on the session's event loop
    /// when there is one (`EventLoopTaskExecutor.current`). Cancelling the
    /// caller's task cancels it too.
    func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task(executorPreference: EventLoopTaskExecutor.current) { try await work() }
        let (id, alreadyCancelled) = state.withLock { state in
            state.nextID += 1
            state.cancels[state.nextID] = { task.cancel() }
            return (state.nextID, state.cancelled)
        }
        if alreadyCancelled { task.cancel() }
        defer { _ = state.withLock { $0.cancels.removeValue(forKey: id) } }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Cancels the work in flight, and any started from now on.
    func cancelAll() {
        let cancels = state.withLock { state in
            state.cancelled = true
            return Array(state.cancels.values)
        }
        cancels.forEach { $0() }
    }

    var count: Int { state.withLock { $0.cancels.count } }
}
