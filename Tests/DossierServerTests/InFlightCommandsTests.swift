@testable import DossierServer
import NIOCore
import NIOPosix
import Testing

/// A command's database work runs on its session's event loop (issue 17): an
/// unstructured task does not inherit a task executor preference, so
/// `InFlightCommands` asks for the session's (`EventLoopTaskExecutor.current`)
/// itself. On the global pool each command crossed two more threads.
@Suite struct InFlightCommandsTests {
    @Test func workRunsOnTheSessionsEventLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(eventLoop: loop)
        let inFlight = InFlightCommands()
        let onLoop = try await Task(executorPreference: executor) {
            try await EventLoopTaskExecutor.$current.withValue(executor) {
                try await inFlight.run { loop.inEventLoop }
            }
        }.value
        #expect(onLoop)
        // Outside a session (tools, tests): wherever the runtime puts it, as before.
        let outside = try await inFlight.run { loop.inEventLoop }
        #expect(!outside)
        try await group.shutdownGracefully()
    }
}
