import NIOCore

/// Runs a connection's session task on its channel's event loop, so reading a
/// request, answering it and writing the answer need no hop between the event
/// loop's thread and Swift's cooperative pool. Sound because nothing in a
/// session blocks its thread: database work runs on the connection pool's own
/// threads and is awaited.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

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
