import Synchronization

/// Counts open connections against the configured maximum, across event loops.
final class ConnectionLimiter: Sendable {
    let maximum: Int
    private let open = Atomic<Int>(0)
    private let accepted = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)

    init(maximum: Int) {
        self.maximum = maximum
    }

    /// Takes a slot; false when the server is full (the slot is not taken).
    func admit() -> Bool {
        let now = open.wrappingAdd(1, ordering: .relaxed).newValue
        if now > maximum {
            open.wrappingSubtract(1, ordering: .relaxed)
            refused.wrappingAdd(1, ordering: .relaxed)
            return false
        }
        accepted.wrappingAdd(1, ordering: .relaxed)
        return true
    }

    func release() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }

    var openConnections: Int { open.load(ordering: .relaxed) }
    var acceptedConnections: Int { accepted.load(ordering: .relaxed) }
    /// Connections turned away with `ERR LIMIT`.
    var refusedConnections: Int { refused.load(ordering: .relaxed) }
}
