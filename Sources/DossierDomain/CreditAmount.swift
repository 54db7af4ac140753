/// The amounts credit records accept (arrears, payments, plans): at least one
/// fen, at most 1,000,000,000.00 yuan (10 亿元). `Money` parsing already
/// refuses negatives, more than two decimals and non-digits; the ceiling here
/// refuses a typo of many zeros long before the sums of a report could overflow.
public enum CreditAmount {
    public static let minimum = Money(fen: 1)
    public static let maximum = Money(yuan: 1_000_000_000)

    /// The amount when it is within the bounds, else nil.
    public static func checked(_ money: Money) -> Money? {
        (minimum...maximum).contains(money) ? money : nil
    }
}
