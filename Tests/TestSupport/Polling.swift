/// Bounded waiting on another process or connection: a number of short
/// polls, not a wall-clock deadline. This machine's clock jumps (the VM is
/// paused and resumed: minutes at once, seen in CI), and a `Date()` deadline
/// then ran out while the daemon had long since printed what was awaited; a
/// count of sleeps survives a jump (only the sleep that spans it is cut short).
/// The bound is against hanging, never a timing.
public enum Polling {
    /// Polls `condition` every `interval`, about `seconds` worth of polls (longer
    /// when the machine is slow); true as soon as it holds.
    public static func until(
        seconds: Double, every interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool
    ) async rethrows -> Bool {
        let intervalSeconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        let polls = max(1, Int((seconds / max(intervalSeconds, 0.001)).rounded(.up)))
        for _ in 0..<polls {
            if try await condition() { return true }
            try? await Task.sleep(for: interval)
        }
        return try await condition()
    }
}
