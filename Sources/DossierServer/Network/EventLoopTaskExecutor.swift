import NIOCore

/// Runs a connection's session task on its channel's event loop, so reading a
/// request, answering it and writing the answer need no hop between the event
/// loop's thread and Swift's cooperative pool. Sound because nothing in a
/// session blocks its thread: database work runs on the connection pool's own
/// threads and is awaited.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    /// The executor the current session's task prefers. Work a session starts
    /// in a task of its own (`InFlightCommands`) asks for it too: an
    /// unstructured task does not inherit a task executor preference, and on
    /// the global pool each command's database work crossed two more threads
    /// (event loop -> pool thread -> worker -> pool thread -> event loop).
    @TaskLocal static var current: EventLoopTaskExecutor?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
