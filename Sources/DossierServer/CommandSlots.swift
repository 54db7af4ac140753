/// How many of one daemon's commands work in the database at once
/// (`dossierd serve --command-slots`); the others wait in arrival order.
///
/// A command that only reads gains nothing from more company on the
/// database's cores: backends beyond the cores take turns, and every command's
/// latency becomes the sum of its waits. On the 2-core test machine, with 8
/// clients, 2 places kept 7 of 9 daily verbs under 20 ms p99 on a
/// 1,000,000-customer company against 2 of 9 with 8 (issue 17). The pool stays
/// larger: what is left of it is for long work (`CommandSpec.runsLong`) and
/// the scheduled jobs, which would otherwise hold a place for minutes.
public enum CommandSlots {
    /// `requested` when given (at most the pool's size); else, for the
    /// embedded cluster, which shares this machine's cores, the cores (at
    /// least 2, so that one slow command does not hold up all others); for a
    /// configured database, whose host the daemon cannot see, the pool's size.
    public static func resolve(requested: Int?, poolSize: Int, embeddedCluster: Bool, cores: Int) -> Int {
        if let requested { return min(max(1, requested), poolSize) }
        guard embeddedCluster else { return poolSize }
        return min(max(2, cores), poolSize)
    }
}
