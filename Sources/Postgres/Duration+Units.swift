/// A `Duration` in the units that logs, settings and timers want. One place
/// for the arithmetic on `components` (seconds plus attoseconds), which is
/// easy to get wrong by a factor of a thousand.
extension Duration {
    /// Whole nanoseconds (wrapping past ±292 years).
    public var inNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    }

    /// Whole microseconds.
    public var inMicroseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds &* 1_000_000 &+ attoseconds / 1_000_000_000_000
    }

    /// Whole milliseconds.
    public var inMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds &* 1000 &+ attoseconds / 1_000_000_000_000_000
    }

    /// Seconds with their fraction.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
