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
/// One group at work at a time, unless the queue fills half a group: while
/// a carrier waits or works, the members that arrive wait for the next one,
/// submitted when its work ends (its statements are answered and only the
/// wait for its commit to reach the disk is left, or it failed), so under
/// load the groups grow instead of competing with each other for the cores
/// (as PostgreSQL's WAL flush serves the commits that queued behind the last
/// one). When half a group (`limit` / 2) waits, another starts beside those
/// at work, up to `concurrency` (the command slots), and a carrier that
/// leaves members behind (more than `limit` waited) asks for another at once.
/// Measured on 2 cores, 8 clients (issue 17): carriers on both command slots
/// as soon as members waited made groups of 2.5, with 310-415 us of
/// PostgreSQL CPU per SHOW; one group at a time, groups of 4 with 190-290 us
/// and 3,228-3,651 SHOW/s; a second group once half a group waits, 3,768-4,316
/// at the same CPU per SHOW.
///
/// Invariants kept here:
/// - members are taken in arrival order, at most `limit` per carrier;
/// - at most one carrier waits in the pool; while members wait, a carrier
///   waits or runs;
/// - a member is waiting, taken by one carrier, or gone; it leaves once.
struct CommitGroupStateMachine: Sendable {
    typealias MemberID = UInt64
    typealias CarrierID = UInt64

    /// Most members in one transaction (at least 1).
    let limit: Int
    /// Most groups at work at once (the command slots they may use).
    let concurrency: Int
    private var waiting = FIFOSet<MemberID>()
    /// The carrier submitted for the waiting members, until it starts.
    private(set) var waitingCarrier: CarrierID?
    /// Carriers that started and are still at work (not yet down to their commit).
    private(set) var runningCarriers: Set<CarrierID> = []
    private var lastCarrier: CarrierID = 0
    /// Members taken by a started carrier, until they leave.
    private var taken: [MemberID: CarrierID] = [:]

    init(limit: Int, concurrency: Int = 1) {
        self.limit = max(1, limit)
        self.concurrency = max(1, concurrency)
    }

    /// `member` arrives. Returns a carrier to submit: when none waits or
    /// works, or when half a group waits and another may work beside those
    /// at work.
    mutating func join(_ member: MemberID) -> CarrierID? {
        waiting.append(member)
        guard waitingCarrier == nil else { return nil }
        if runningCarriers.isEmpty { return newCarrier() }
        return runningCarriers.count < concurrency && waiting.count * 2 >= limit ? newCarrier() : nil
    }

    struct Start: Sendable, Equatable {
        /// The carrier's members, in arrival order.
        var members: [MemberID]
        /// A second carrier to submit at once: more than `limit` waited.
        var another: CarrierID?
    }

    /// `carrier` got its connection: it takes its members.
    mutating func carrierStarted(_ carrier: CarrierID) -> Start {
        guard waitingCarrier == carrier else { return Start(members: [], another: nil) }
        waitingCarrier = nil
        runningCarriers.insert(carrier)
        var members: [MemberID] = []
        while members.count < limit, let member = waiting.popFirst() {
            members.append(member)
            taken[member] = carrier
        }
        return Start(members: members, another: waiting.isEmpty ? nil : newCarrier())
    }

    /// `carrier`'s work ended: only its commit is left, or it ended
    /// altogether. Returns the next carrier to submit, for the members that
    /// arrived meanwhile; nothing the second time.
    mutating func carrierEnded(_ carrier: CarrierID) -> CarrierID? {
        guard runningCarriers.remove(carrier) != nil else { return nil }
        return waiting.isEmpty || waitingCarrier != nil ? nil : newCarrier()
    }

    /// `carrier` failed before it started (pool timeout, pool closed, no
    /// connection): the members waiting, who fail with it.
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
        // The carrier stays queued; if it finds nobody, it ends at once.
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
