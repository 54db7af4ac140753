import NIOCore

/// The three clocks of one connection, without timers or I/O:
/// - idle: no complete request for `idle` (time counts from the last complete
///   line, so a client dribbling one byte a second is still idle);
/// - request: a line begun and not finished within `request` (slowloris);
/// - login: not signed in within `login` after connecting.
/// `RequestFramingHandler` feeds it and arms one timer for `nextDeadline`.
struct ConnectionDeadlines: Sendable, Equatable {
    enum Expiry: Sendable, Equatable {
        case idle
        case request
        case login
    }

    struct Limits: Sendable, Equatable {
        var idle: TimeAmount
        var request: TimeAmount
        var login: TimeAmount
    }

    let limits: Limits
    private(set) var lastRequest: NIODeadline
    private(set) var lineStarted: NIODeadline?
    private let connected: NIODeadline
    private(set) var signedIn = false

    init(limits: Limits, connectedAt now: NIODeadline) {
        self.limits = limits
        connected = now
        lastRequest = now
    }

    /// Bytes arrived: `requests` requests completed (blank lines are not
    /// requests: they do not keep a connection alive), `endedLines` lines of
    /// any kind ended, and a line is open afterwards when `insideLine`.
    mutating func received(requests: Int, endedLines: Int, insideLine: Bool, at now: NIODeadline) {
        if requests > 0 { lastRequest = now }
        if !insideLine {
            lineStarted = nil
        } else if endedLines > 0 || lineStarted == nil {
            lineStarted = now
        }
    }

    mutating func didSignIn() { signedIn = true }

    /// The first clock that has run out at `now`, if any.
    func expired(at now: NIODeadline) -> Expiry? {
        if !signedIn, now >= connected + limits.login { return .login }
        if let lineStarted, now >= lineStarted + limits.request { return .request }
        if now >= lastRequest + limits.idle { return .idle }
        return nil
    }

    /// When the next clock runs out (re-checked then: it may have moved).
    var nextDeadline: NIODeadline {
        var next = lastRequest + limits.idle
        if let lineStarted { next = min(next, lineStarted + limits.request) }
        if !signedIn { next = min(next, connected + limits.login) }
        return next
    }
}
