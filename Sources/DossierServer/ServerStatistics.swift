import DossierProtocol
import Postgres
import Synchronization

/// Figures for `STATS`: this daemon's own, not the database's.
final class ServerStatistics: Sendable {
    private let commands = Atomic<Int>(0)
    private let failures = Atomic<Int>(0)
    let started = ContinuousClock.now
    let limiter: ConnectionLimiter

    init(limiter: ConnectionLimiter) {
        self.limiter = limiter
    }

    func recordCommand(failed: Bool) {
        commands.wrappingAdd(1, ordering: .relaxed)
        if failed { failures.wrappingAdd(1, ordering: .relaxed) }
    }

    func rows(pool: PoolStatistics) -> [Row] {
        let uptime = (ContinuousClock.now - started).components.seconds
        return [
            ["name": "connections", "value": "\(limiter.openConnections)"],
            ["name": "connections_total", "value": "\(limiter.acceptedConnections)"],
            ["name": "commands", "value": "\(commands.load(ordering: .relaxed))"],
            ["name": "command_errors", "value": "\(failures.load(ordering: .relaxed))"],
            ["name": "pool_size", "value": "\(pool.size)"],
            ["name": "pool_busy", "value": "\(pool.busy)"],
            ["name": "command_slots", "value": "\(pool.limit)"],
            ["name": "command_slots_busy", "value": "\(pool.limitedBusy)"],
            ["name": "pool_waiting", "value": "\(pool.waiting)"],
            ["name": "uptime_seconds", "value": "\(uptime)"],
        ]
    }
}
