/// How an amount is applied to a customer's open receivables (还款冲销): the
/// oldest due first (due day, then the receivable's number), each up to what
/// is still open on it. `CREDIT PAY <customer>` applies a payment this way,
/// and `CREDIT PLAN` moves arrears into a plan this way.
public enum PaymentAllocation {
    /// A receivable with an amount still open.
    public struct Open: Hashable, Sendable {
        public let id: ReceivableID
        public let due: CalendarDate
        public let open: Money
        public init(id: ReceivableID, due: CalendarDate, open: Money) { self.id = id; self.due = due; self.open = open }
    }

    /// One part of the amount, applied to one receivable.
    public struct Part: Hashable, Sendable {
        public let id: ReceivableID
        public let amount: Money
        public init(id: ReceivableID, amount: Money) { self.id = id; self.amount = amount }
    }

    /// The total still open.
    public static func outstanding(_ receivables: [Open]) -> Money {
        Money(fen: receivables.reduce(0) { $0 + max(0, $1.open.fen) })
    }

    /// The parts, oldest due first; nil when the amount is not positive or more
    /// than is open (a payment that settles nothing, or overpays, is refused).
    public static func allocate(_ amount: Money, to receivables: [Open]) -> [Part]? {
        guard amount.fen > 0, amount <= outstanding(receivables) else { return nil }
        var left = amount.fen
        var parts: [Part] = []
        for receivable in receivables.sorted(by: { ($0.due, $0.id) < ($1.due, $1.id) }) where left > 0 && receivable.open.fen > 0 {
            let part = min(left, receivable.open.fen)
            parts.append(Part(id: receivable.id, amount: Money(fen: part)))
            left -= part
        }
        return parts
    }
}
