@testable import DossierServer
import NIOCore
import Testing

/// The connection clocks without timers: idle counts from the last complete
/// request, a begun line must end in time, and logging in has its own limit.
@Suite struct ConnectionDeadlinesTests {
    let limits = ConnectionDeadlines.Limits(idle: .seconds(100), request: .seconds(10), login: .seconds(30))
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    func at(_ seconds: Int64) -> NIODeadline { start + .seconds(seconds) }

    @Test func dribblingIsNotActivity() {
        var clocks = ConnectionDeadlines(limits: limits, connectedAt: start)
        clocks.didSignIn()
        #expect(clocks.nextDeadline == at(100))
        // One byte a second of a line that never ends: the request clock runs out.
        for second in 1...9 {
            clocks.received(requests: 0, endedLines: 0, insideLine: true, at: at(Int64(second)))
        }
        #expect(clocks.nextDeadline == at(11))
        #expect(clocks.expired(at: at(10)) == nil)
        #expect(clocks.expired(at: at(11)) == .request)
    }

    @Test func blankLinesDoNotKeepAConnectionAlive() {
        var clocks = ConnectionDeadlines(limits: limits, connectedAt: start)
        clocks.didSignIn()
        clocks.received(requests: 1, endedLines: 1, insideLine: false, at: at(50))
        #expect(clocks.nextDeadline == at(150))
        for second in stride(from: 60, through: 140, by: 20) {
            clocks.received(requests: 0, endedLines: 1, insideLine: false, at: at(Int64(second)))
        }
        #expect(clocks.expired(at: at(149)) == nil)
        #expect(clocks.expired(at: at(150)) == .idle)
    }

    @Test func aCompletedRequestRestartsIdleAndEndsTheLineClock() {
        var clocks = ConnectionDeadlines(limits: limits, connectedAt: start)
        clocks.didSignIn()
        clocks.received(requests: 0, endedLines: 0, insideLine: true, at: at(5))
        clocks.received(requests: 1, endedLines: 1, insideLine: false, at: at(8))
        #expect(clocks.lineStarted == nil)
        #expect(clocks.nextDeadline == at(108))
        // A read that ends one line and begins the next starts the line clock anew.
        clocks.received(requests: 1, endedLines: 1, insideLine: true, at: at(20))
        #expect(clocks.nextDeadline == at(30))
    }

    @Test func loginClockStopsAtSignIn() {
        var clocks = ConnectionDeadlines(limits: limits, connectedAt: start)
        clocks.received(requests: 1, endedLines: 1, insideLine: false, at: at(1))
        #expect(clocks.nextDeadline == at(30))
        #expect(clocks.expired(at: at(30)) == .login)
        clocks.didSignIn()
        #expect(clocks.expired(at: at(30)) == nil)
        #expect(clocks.nextDeadline == at(101))
    }
}
