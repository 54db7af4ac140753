import DossierStore
import Foundation
import Metrics
import Postgres
import Synchronization

/// Figures that already exist as counters elsewhere (the connection limiter,
/// the pool) are read when Prometheus scrapes, instead of hooks in those
/// types: gauges are set, cumulative figures advance their counters by what
/// was added since the last scrape. The last backup is read from `job_runs`,
/// so every daemon reports the cluster's last backup, whoever ran it.
final class MetricsSampler: Sendable {
    private let server: DossierServer
    private let pool: ConnectionPool
    private let seen = Mutex<[String: Int]>([:])

    init(server: DossierServer, pool: ConnectionPool) {
        self.server = server
        self.pool = pool
    }

    func sample() async {
        let connections = server.connectionFigures
        Gauge(label: "dossier_connections_open").record(connections.open)
        advance("dossier_connections_accepted_total", to: connections.accepted)
        advance("dossier_connections_refused_total", to: connections.refused)
        let pool = pool.statistics
        Gauge(label: "dossier_pool_size").record(pool.size)
        Gauge(label: "dossier_pool_in_use").record(pool.busy)
        Gauge(label: "dossier_pool_idle").record(pool.idle)
        Gauge(label: "dossier_pool_waiting").record(pool.waiting)
        Gauge(label: "dossier_command_slots").record(pool.limit)
        Gauge(label: "dossier_command_slots_in_use").record(pool.limitedBusy)
        advance("dossier_pool_timeouts_total", to: pool.timeoutsTotal)
        // DOSSIER SHOWs that shared a commit (README, "Commit groups").
        let grouped = self.pool.groupedCommits
        advance("dossier_commit_groups_total", to: grouped.groups)
        advance("dossier_commit_group_members_total", to: grouped.members)
        // Every connection the pool opened: its first connects plus reconnects.
        advance("dossier_db_connects_total", to: pool.connectsTotal)
        advance("dossier_db_reconnects_total", to: pool.reconnectsTotal)
        if let backup = try? await self.pool.transaction({ connection in
            try connection.query("SELECT dossier.begin_system_command($1::text)", ["metrics"])
            return try BackupStatus.read(on: connection)
        }) {
            Gauge(label: "dossier_backup_last_success_timestamp_seconds").record(backup.lastDone?.timeIntervalSince1970 ?? 0)
            Gauge(label: "dossier_backup_last_ok").record(backup.outcome == "ok" ? 1 : 0)
            Gauge(label: "dossier_backup_running").record(backup.outcome == "running" ? 1 : 0)
        }
    }

    /// Readiness: the database answers and its schema is the one this binary needs.
    func readiness() async -> (ready: Bool, detail: String) {
        if server.isShuttingDown { return (false, "shutting down") }
        do {
            let status = try await pool.withConnection { try Migrator().status($0) }
            switch status {
            case .current(let version): return (true, "ready: database reachable, schema version \(version)")
            default: return (false, "schema not current: \(status.operatorMessage)")
            }
        } catch {
            return (false, "database unreachable: \(error)")
        }
    }

    private func advance(_ label: String, to value: Int) {
        let delta = seen.withLock { seen in
            let delta = value - (seen[label] ?? 0)
            seen[label] = max(value, seen[label] ?? 0)
            return delta
        }
        if delta > 0 { Counter(label: label).increment(by: delta) }
    }
}
