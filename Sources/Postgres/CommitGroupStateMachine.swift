/// The decisions of grouped commits (`ConnectionPool.groupedTransaction`),
/// without threads, connections or I/O.
///
/// Whole transactions that queue for the database at the same time share one
/// `BEGIN … COMMIT`: a *carrier*, an ordinary limited pool job, takes up to
/// `limit` waiting members when it gets its connection, and runs their
/// statements one member after the other in one transaction, so that one
/// commit (one WAL flush, one round trip) serves them all. When nothing else
/// waits a carrier takes one member, and a command runs as it would alone.
///
/// Invariants kept here:
/// - members are taken in arrival order, at most `limit` per carrier;
/// - while members wait, exactly one carrier waits for them (none otherwise),
///   so grouping never queues more pool jobs than there are groups;
/// - a member is waiting, taken by one carrier, or gone; it leaves once.
struct CommitGroupStateMachine: Sendable {
    typealias MemberID = UInt64
    typealias CarrierID = UInt64

    /// Most members in one transaction (at least 1).
    let limit: Int
    private var waiting = FIFOSet<MemberID>()
    /// The carrier submitted for the waiting members, until it starts.
    private(set) var waitingCarrier: CarrierID?
    private var lastCarrier: CarrierID = 0
    /// Members taken by a started carrier, until they leave.
    private var taken: [MemberID: CarrierID] = [:]

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// `member` arrives. Returns a carrier to submit, when none waits yet.
    mutating func join(_ member: MemberID) -> CarrierID? {
        waiting.append(member)
        return waitingCarrier == nil ? newCarrier() : nil
    }

    struct Start: Sendable, Equatable {
        /// The carrier's members, in arrival order.
        var members: [MemberID]
        /// Another carrier to submit, for the members still waiting.
        var another: CarrierID?
    }

    /// `carrier` got its connection: it takes its members.
    mutating func carrierStarted(_ carrier: CarrierID) -> Start {
        if waitingCarrier == carrier { waitingCarrier = nil }
        var members: [MemberID] = []
        while members.count < limit, let member = waiting.popFirst() {
            members.append(member)
            taken[member] = carrier
        }
        let another = !waiting.isEmpty && waitingCarrier == nil ? newCarrier() : nil
        return Start(members: members, another: another)
    }

    /// `carrier` failed before it started (pool timeout, pool closed, no
    /// connection): the members waiting for it, who fail with it.
    mutating func carrierFailedBeforeStart(_ carrier: CarrierID) -> [MemberID] {
        guard waitingCarrier == carrier else { return [] }
        waitingCarrier = nil
        return waiting.removeAll()
    }

    /// `member` got its outcome (taken members only).
    mutating func left(_ member: MemberID) {
        taken[member] = nil
    }

    enum CancelAction: Sendable, Equatable {
        /// It was waiting and is now removed: fail it with `CancellationError`.
        case failWaiting
        /// Its carrier runs it: interrupt the carrier's transaction.
        case interrupt(CarrierID)
        /// It already has its outcome.
        case none
    }

    /// The caller of `member` gave up.
    mutating func cancel(_ member: MemberID) -> CancelAction {
        // The waiting carrier stays queued; if it finds nobody, it ends at once.
        if waiting.remove(member) { return .failWaiting }
        if let carrier = taken[member] { return .interrupt(carrier) }
        return .none
    }

    var waitingCount: Int { waiting.count }

    private mutating func newCarrier() -> CarrierID {
        lastCarrier += 1
        waitingCarrier = lastCarrier
        return lastCarrier
    }
}
