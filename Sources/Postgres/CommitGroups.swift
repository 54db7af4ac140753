import Synchronization

/// What became of a grouped transaction (`ConnectionPool.groupedTransaction`).
enum GroupOutcome: Sendable {
    /// Its statements ran and committed with the group: their results.
    case committed([PostgresResult])
    /// The group failed before it committed (nothing of it is written):
    /// run the transaction on its own, where its own failure, if any, is its own.
    case runAlone
}

/// The I/O shell around `CommitGroupStateMachine`: members' statements and
/// continuations, carriers submitted to the pool as limited jobs.
///
/// A group is one transaction: its members' statements in arrival order,
/// then one `COMMIT`, in one round trip (`PostgresConnection.committedTransaction`).
/// Every member's statements open with its own actor (`begin_command` sets
/// the transaction-local actor settings anew), so each runs as itself.
/// Failures: a statement the server refused aborts the group before its
/// commit, so nothing of it is written, and every member runs again alone
/// (one member alone gets the error itself); a lost connection is the pool's
/// to retry (nothing sent could have changed data) or every member's error,
/// as an unknown commit outcome is. A carrier that never got a connection
/// (the pool's acquire timeout, shutdown) fails the members waiting then,
/// however recently they came: the pool was saturated for that long.
final class CommitGroups: Sendable {
    typealias MemberID = CommitGroupStateMachine.MemberID
    typealias CarrierID = CommitGroupStateMachine.CarrierID

    private struct Member {
        let statements: [PipelinedStatement]
        /// Set once the member is queued; nil while `join` sets it up.
        var continuation: CheckedContinuation<GroupOutcome, any Error>?
        /// Its caller gave up (before it was queued, or while its carrier ran).
        var cancelled = false
    }

    private struct State {
        var machine: CommitGroupStateMachine
        var members: [MemberID: Member] = [:]
        var lastMember: MemberID = 0
        var tickets: [CarrierID: JobTicket] = [:]
        var groupsCommitted = 0
        var membersCommitted = 0
    }

    /// A carrier's members once it started; only its worker thread touches it
    /// (the pool runs a job's `run` and `fail` on the worker, one at a time,
    /// or `fail` alone before any worker took the job).
    private final class CarrierRun: @unchecked Sendable {
        var members: [(id: MemberID, statements: [PipelinedStatement])]?
    }

    private let state: Mutex<State>
    private let core: PoolCore

    init(limit: Int, concurrency: Int, core: PoolCore) {
        self.state = Mutex(State(machine: CommitGroupStateMachine(limit: limit, concurrency: concurrency)))
        self.core = core
    }

    /// Groups committed with more than one member, and the members they committed.
    var counts: (groups: Int, members: Int) {
        state.withLock { ($0.groupsCommitted, $0.membersCommitted) }
    }

    /// Members waiting for a carrier to start.
    var waitingCount: Int { state.withLock { $0.machine.waitingCount } }

    /// Queues `statements` for the next carrier and waits for its outcome.
    func join(_ statements: [PipelinedStatement]) async throws -> GroupOutcome {
        try Task.checkCancellation()
        let id: MemberID = state.withLock { state in
            state.lastMember += 1
            state.members[state.lastMember] = Member(statements: statements)
            return state.lastMember
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<GroupOutcome, any Error>) in
                enum Queued {
                    case cancelled
                    case waiting(submit: CarrierID?)
                }
                let queued: Queued = state.withLock { state in
                    guard state.members[id]?.cancelled == false else {
                        state.members[id] = nil
                        return .cancelled
                    }
                    state.members[id]?.continuation = continuation
                    return .waiting(submit: state.machine.join(id))
                }
                switch queued {
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .waiting(let carrier?): submit(carrier)
                case .waiting(nil): break
                }
            }
        } onCancel: {
            cancel(id)
        }
    }

    // MARK: Carriers

    private func submit(_ carrier: CarrierID) {
        let ticket = JobTicket()
        let run = CarrierRun()
        state.withLock { $0.tickets[carrier] = ticket }
        let job = PoolJob(
            run: { [self] connection in self.run(carrier, run, on: connection) },
            fail: { [self] error in self.fail(carrier, run, with: error) })
        let id = core.submit(job, kind: .limited)
        // A member's cancellation reached the carrier before its id was known.
        if ticket.submitted(id) { core.withdraw(id) }
    }

    /// The carrier's work on its worker: take the members (the first time;
    /// the pool runs a job again after a reconnect), run them as one transaction.
    private func run(_ carrier: CarrierID, _ run: CarrierRun, on connection: PostgresConnection) -> (any Error)? {
        if run.members == nil {
            let another: CarrierID?
            (run.members, another) = state.withLock { state in
                let start = state.machine.carrierStarted(carrier)
                return (start.members.map { id in (id: id, statements: state.members[id]?.statements ?? []) }, start.another)
            }
            if let another { submit(another) }
        }
        guard let members = run.members, !members.isEmpty else {
            end(carrier)
            return nil
        }
        // Once only the COMMIT is left (the wait for the disk), the next
        // group may do its work meanwhile; its commit may then share the flush.
        connection.commitWaitBegins = { [self] in self.endTurn(carrier) }
        defer { connection.commitWaitBegins = nil }
        do {
            let answers = try connection.committedTransaction(members.flatMap(\.statements))
            // Each member's answers, in the order its statements were sent.
            var slices: [MemberID: [PostgresResult]] = [:]
            var start = answers.startIndex
            for member in members {
                let stop = min(start + member.statements.count, answers.endIndex)
                slices[member.id] = Array(answers[start..<stop])
                start = stop
            }
            settle(members.map(\.id), counted: members.count > 1) { id, _ in
                .success(.committed(slices[id] ?? []))
            }
        } catch {
            switch (error as? PostgresError)?.kind {
            case .connection?:
                // The pool runs the carrier again on a fresh connection when
                // nothing it sent could have changed data; else it fails it.
                // Either way it has not ended yet.
                return error
            case .server?, .cancelled?:
                // Refused before COMMIT: nothing of the group is written.
                settle(members.map(\.id)) { _, member in
                    if member.cancelled { return .failure(CancellationError()) }
                    return members.count == 1 ? .failure(error) : .success(.runAlone)
                }
            default:
                settle(members.map(\.id)) { _, _ in .failure(error) }
            }
        }
        end(carrier)
        return nil
    }

    /// The pool gave up on the carrier: its members fail with `error`, or,
    /// if it never started, the members waiting for it.
    private func fail(_ carrier: CarrierID, _ run: CarrierRun, with error: any Error) {
        if let members = run.members {
            settle(members.map(\.id)) { _, _ in .failure(error) }
            end(carrier)
            return
        }
        let waiting: [MemberID] = state.withLock { state in
            state.tickets[carrier] = nil
            return state.machine.carrierFailedBeforeStart(carrier)
        }
        settle(waiting) { _, _ in .failure(error) }
    }

    /// Gives each of `ids` its outcome, once; `counted`: they committed as a group.
    private func settle(
        _ ids: [MemberID], counted: Bool = false, _ outcome: (MemberID, Member) -> Result<GroupOutcome, any Error>
    ) {
        let resumes: [(CheckedContinuation<GroupOutcome, any Error>, Result<GroupOutcome, any Error>)] =
            state.withLock { state in
                if counted {
                    state.groupsCommitted += 1
                    state.membersCommitted += ids.count
                }
                return ids.compactMap { id in
                    state.machine.left(id)
                    guard let member = state.members.removeValue(forKey: id), let continuation = member.continuation
                    else { return nil }
                    return (continuation, outcome(id, member))
                }
            }
        for (continuation, result) in resumes { continuation.resume(with: result) }
    }

    /// The carrier is done: the next one, if commands arrived meanwhile.
    private func end(_ carrier: CarrierID) {
        state.withLock { _ = $0.tickets.removeValue(forKey: carrier) }
        endTurn(carrier)
    }

    /// The carrier's work is over (only its commit may be left): the next
    /// carrier, if commands arrived meanwhile. Once per carrier; later calls
    /// find it ended.
    private func endTurn(_ carrier: CarrierID) {
        let next: CarrierID? = state.withLock { $0.machine.carrierEnded(carrier) }
        if let next { submit(next) }
    }

    // MARK: Cancellation

    private func cancel(_ id: MemberID) {
        enum Next {
            case fail(CheckedContinuation<GroupOutcome, any Error>)
            case interrupt(JobTicket)
            case nothing
        }
        let next: Next = state.withLock { state in
            guard let member = state.members[id] else { return .nothing }
            guard let continuation = member.continuation else {
                // Not queued yet: `join` sees the mark and gives up.
                state.members[id]?.cancelled = true
                return .nothing
            }
            switch state.machine.cancel(id) {
            case .failWaiting:
                state.members[id] = nil
                return .fail(continuation)
            case .interrupt(let carrier):
                state.members[id]?.cancelled = true
                return state.tickets[carrier].map(Next.interrupt) ?? .nothing
            case .none:
                return .nothing
            }
        }
        switch next {
        case .fail(let continuation):
            continuation.resume(throwing: CancellationError())
        case .interrupt(let ticket):
            // The whole group's transaction is interrupted; the others run again alone.
            if let job = ticket.cancel() { core.withdraw(job) }
        case .nothing:
            break
        }
    }
}
