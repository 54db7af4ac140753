/// A log-bucketed latency histogram in the manner of HdrHistogram: values (in
/// nanoseconds) below 128 are counted exactly; above, each power of two is split
/// into 64 linear sub-buckets, so a reported value is within 1/64 (1.6 %) of
/// the recorded one. Fixed size, no allocation per record.
struct LatencyHistogram: Sendable {
    /// Sub-bucket bits: 2^7 exact values, then 2^6 sub-buckets per power of two.
    private static let bits = 7
    private static let half = 1 << (bits - 1)  // 64
    private static let full = 1 << bits  // 128
    /// Enough buckets for any UInt64 value.
    private static let bucketCount = full + (64 - bits) * half

    private(set) var counts: [UInt64]
    private(set) var total: UInt64 = 0
    private(set) var minimum: UInt64 = .max
    private(set) var maximum: UInt64 = 0
    private var sum: Double = 0

    init() {
        counts = Array(repeating: 0, count: Self.bucketCount)
    }

    static func index(of value: UInt64) -> Int {
        if value < UInt64(full) { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount  // >= bits
        let shift = exponent - (bits - 1)  // >= 1; value >> shift is in [64, 128)
        return full + (shift - 1) * half + Int(value >> UInt64(shift)) - half
    }

    /// The highest value that falls into bucket `index` (what HdrHistogram
    /// reports as the "highest equivalent value").
    static func highestValue(inBucket index: Int) -> UInt64 {
        if index < full { return UInt64(index) }
        let shift = (index - full) / half + 1
        let mantissa = UInt64((index - full) % half + half)
        return ((mantissa + 1) << UInt64(shift)) &- 1  // wraps only for the last bucket
    }

    mutating func record(_ value: UInt64) {
        counts[Self.index(of: value)] &+= 1
        total &+= 1
        sum += Double(value)
        if value < minimum { minimum = value }
        if value > maximum { maximum = value }
    }

    mutating func merge(_ other: LatencyHistogram) {
        for i in counts.indices { counts[i] &+= other.counts[i] }
        total &+= other.total
        sum += other.sum
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
    }

    var mean: Double { total == 0 ? 0 : sum / Double(total) }

    /// The value at or below which `fraction` (0...1) of the recorded values lie.
    func value(atQuantile fraction: Double) -> UInt64 {
        guard total > 0 else { return 0 }
        let rank = Swift.max(1, UInt64((fraction * Double(total)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, count) in counts.enumerated() where count > 0 {
            seen += count
            if seen >= rank { return Swift.min(Self.highestValue(inBucket: index), maximum) }
        }
        return maximum
    }
}
