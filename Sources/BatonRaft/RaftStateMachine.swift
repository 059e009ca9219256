/// A Raft node as a pure state machine, in the style of etcd's raft.
///
/// It performs no I/O, reads no clock and has no randomness of its own. Inputs are method calls: ``tick()`` at a
/// fixed interval, ``step(_:)`` for each received message, ``propose(_:)``, ``proposeMembershipChange(_:)``,
/// ``transferLeadership(to:)`` and ``snapshotTaken(index:data:)``. Outputs accumulate until ``takeReady()``
/// hands them over as a ``RaftReady`` batch: what to persist, what to send (only after persisting), what to apply.
///
/// Features: elections with randomized timeouts, PreVote, CheckQuorum with a leader lease, log replication with
/// fast conflict back-off, a no-op at the start of each term (a leader commits only entries of its own term by
/// counting replicas), leadership transfer (TimeoutNow), snapshots streamed in checksummed chunks, and membership
/// changes one server at a time (learners, promotion, removal including of the leader).
public struct RaftStateMachine: Sendable {
    /// This node.
    public let id: RaftNodeID
    public let options: RaftOptions

    var random: RaftRandom
    // Persistent state.
    var term: UInt64
    var vote: RaftNodeID?
    var log: RaftLog
    /// The latest snapshot, kept in memory so that it can be streamed to followers.
    var snapshot: RaftSnapshot?
    var snapshotChecksum: UInt32 = 0
    /// The configurations in the log, oldest first; the first is in force at the log base (or is empty).
    var membershipHistory: [(index: UInt64, membership: RaftMembership)]

    // Volatile state.
    var role: RaftRole = .follower
    var leader: RaftNodeID?
    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0
    /// Votes (or pre-votes) received in the current campaign: voter and whether granted.
    var votes: [(id: RaftNodeID, granted: Bool)] = []
    /// The leader's view of every other member, sorted by id.
    var progress: [RaftProgress] = []
    var transferTarget: RaftNodeID?
    /// The index of the no-op this node appended when it last won an election.
    var termStartIndex: UInt64 = 0
    var transferElapsed = 0
    /// A snapshot being received from the leader.
    var incomingSnapshot: RaftSnapshotAssembly?
    var snapshotRequested = false

    // Output waiting for `takeReady()`.
    var outbox: [RaftMessage] = []
    var pendingSnapshot: RaftSnapshot?
    var pendingCompaction: RaftLogCompaction?
    var pendingSnapshotToApply: RaftSnapshot?
    var reportedHardState: RaftHardState
    var reportedSoftState: RaftSoftState

    /// Starts a node from what it persisted.
    ///
    /// - Parameters:
    ///   - durable: the persisted state (``RaftDurableState/empty`` for a node joining an existing cluster,
    ///     ``RaftDurableState/bootstrap(_:)`` for the founders of a new one).
    ///   - appliedIndex: the last index the application's state already reflects; defaults to the snapshot's
    ///     index (the application restores the snapshot, and committed entries after it are handed out again).
    public init(
        id: RaftNodeID, options: RaftOptions = RaftOptions(), durable: RaftDurableState, appliedIndex: UInt64? = nil
    ) throws(RaftError) {
        try options.validate()
        let snapshotIndex = durable.snapshot?.metadata.index ?? 0
        let base = durable.logBase
        guard base.index <= snapshotIndex else {
            throw RaftError(.invalidDurableState, "log base \(base) is beyond the snapshot at \(snapshotIndex)")
        }
        for (offset, entry) in durable.entries.enumerated() where entry.index != base.index + 1 + UInt64(offset) {
            throw RaftError(.invalidDurableState, "entry \(entry.index) is not at its place in the log")
        }
        let lastIndex = base.index + UInt64(durable.entries.count)
        guard snapshotIndex <= lastIndex || durable.entries.isEmpty else {
            throw RaftError(.invalidDurableState, "entries end before the snapshot at \(snapshotIndex)")
        }
        var log: RaftLog
        if let snapshot = durable.snapshot, snapshotIndex > lastIndex || base.index == snapshotIndex {
            // The log starts at the snapshot.
            let kept = durable.entries.filter { $0.index > snapshotIndex }
            log = RaftLog(base: snapshot.metadata.position, entries: kept, committed: 0, applied: 0)
        } else {
            log = RaftLog(base: base, entries: durable.entries, committed: 0, applied: 0)
        }
        let committed = max(durable.hardState.commit, snapshotIndex)
        guard committed <= log.lastIndex else {
            throw RaftError(.invalidDurableState, "commit index \(committed) is beyond the last entry \(log.lastIndex)")
        }
        let applied = appliedIndex ?? snapshotIndex
        guard applied >= snapshotIndex, applied >= log.base.index, applied <= committed else {
            throw RaftError(
                .invalidDurableState, "applied index \(applied) is outside \(snapshotIndex)...\(committed)")
        }
        log.committed = committed
        log.applied = applied

        self.id = id
        self.options = options
        self.random = RaftRandom(seed: options.randomSeed ^ (id.rawValue &* 0x9E37_79B9_7F4A_7C15))
        self.term = durable.hardState.term
        self.vote = durable.hardState.vote
        self.log = log
        self.snapshot = durable.snapshot
        self.snapshotChecksum = durable.snapshot?.checksum ?? 0
        var history: [(index: UInt64, membership: RaftMembership)] = [
            (snapshotIndex, durable.snapshot?.metadata.membership ?? RaftMembership())
        ]
        for entry in log.entries where entry.index > snapshotIndex && entry.kind == .membership {
            if let membership = entry.membership { history.append((entry.index, membership)) }
        }
        self.membershipHistory = history
        self.reportedHardState = RaftHardState(term: term, vote: vote, commit: durable.hardState.commit)
        self.reportedSoftState = RaftSoftState(role: .follower, leader: nil, term: term)
        resetRandomizedElectionTimeout()
    }

    // MARK: - Inputs

    /// Advances logical time by one tick.
    public mutating func tick() {
        if role == .leader { tickLeader() } else { tickElection() }
    }

    /// Handles a message received from another node. Messages for another node are ignored.
    public mutating func step(_ message: RaftMessage) {
        guard message.to == id, message.from != id, message.isPlausible else { return }
        if message.term > term {
            if case .voteRequest(let request) = message.payload {
                let inLease = options.checkQuorum && leader != nil && electionElapsed < options.electionTicks
                if inLease && !request.transfer { return }  // a live leader: ignore the disruption
            }
            switch message.payload {
            case .voteRequest(let request) where request.preVote:
                break  // a pre-vote never changes our term
            case .voteResponse(let response) where response.preVote && response.granted:
                break  // granted for the term we would campaign in
            case .appendEntries, .heartbeat, .installSnapshot:
                becomeFollower(term: message.term, leader: message.from)
            case .voteRequest:
                becomeFollower(term: message.term, leader: nil, resetTimer: false)
            default:
                becomeFollower(term: message.term, leader: nil)
            }
        } else if message.term < term {
            switch message.payload {
            case .appendEntries, .heartbeat, .installSnapshot:
                // Tell a stale leader about the newer term, so that one cut off for a while steps down.
                if options.checkQuorum || options.preVote {
                    send(to: message.from, .heartbeatResponse(.init()))
                }
            case .voteRequest(let request) where request.preVote:
                send(to: message.from, .voteResponse(.init(granted: false, preVote: true)))
            default:
                break
            }
            return
        }

        switch message.payload {
        case .voteRequest(let request):
            handleVoteRequest(message, request)
        case .voteResponse(let response):
            handleVoteResponse(message, response)
        case .appendEntries(let append):
            guard acceptLeaderMessage(from: message.from) else { return }
            handleAppendEntries(message, append)
        case .heartbeat(let heartbeat):
            guard acceptLeaderMessage(from: message.from) else { return }
            handleHeartbeat(message, heartbeat)
        case .installSnapshot(let chunk):
            guard acceptLeaderMessage(from: message.from) else { return }
            handleSnapshotChunk(message, chunk)
        case .appendResponse(let response):
            guard role == .leader else { return }
            handleAppendResponse(message, response)
        case .heartbeatResponse:
            guard role == .leader else { return }
            handleHeartbeatResponse(message)
        case .installSnapshotResponse(let response):
            guard role == .leader else { return }
            handleSnapshotResponse(message, response)
        case .timeoutNow:
            guard role == .follower, isPromotable else { return }
            campaign(preVote: false, transfer: true)
        }
    }

    /// Appends a command to the log (leader only) and returns its position. The command is committed once an entry
    /// with this index *and term* is applied; if another term's entry is applied at that index, the proposal was
    /// lost with a change of leader.
    @discardableResult
    public mutating func propose(_ data: [UInt8]) throws(RaftError) -> RaftLogPosition {
        try requireLeaderAcceptingProposals()
        return appendAndReplicate(kind: .command, data: data)
    }

    // MARK: - Output

    /// Whether ``takeReady()`` has anything to hand out.
    public var hasReady: Bool {
        !outbox.isEmpty || log.hasUnstable || log.committed > log.applied || pendingSnapshot != nil
            || pendingCompaction != nil || pendingSnapshotToApply != nil || currentHardState != reportedHardState
            || currentSoftState != reportedSoftState || snapshotRequestDue
    }

    /// Hands out the accumulated work, or nil when there is none. See ``RaftReady`` for the contract.
    public mutating func takeReady() -> RaftReady? {
        guard hasReady else { return nil }
        var ready = RaftReady()
        let soft = currentSoftState
        if soft != reportedSoftState {
            ready.softState = soft
            reportedSoftState = soft
        }
        let hard = currentHardState
        if hard != reportedHardState {
            ready.hardState = hard
            reportedHardState = hard
        }
        ready.snapshot = pendingSnapshot
        ready.compaction = pendingCompaction
        ready.entries = log.takeUnstable()
        ready.messages = outbox
        ready.snapshotToApply = pendingSnapshotToApply
        ready.committedEntries = log.takeCommitted()
        pendingSnapshot = nil
        pendingCompaction = nil
        pendingSnapshotToApply = nil
        outbox = []
        if snapshotRequestDue {
            ready.snapshotRequest = log.applied
            snapshotRequested = true
        }
        return ready
    }

    // MARK: - Observation

    public var status: RaftStatus {
        RaftStatus(
            id: id, role: role, term: term, vote: vote, leader: leader, commitIndex: log.committed,
            appliedIndex: log.applied, lastLog: log.lastPosition, logBase: log.base,
            snapshotIndex: snapshot?.metadata.index ?? 0, membership: membership,
            peers: role == .leader ? progress.map(\.status) : [], transferTarget: transferTarget,
            termStartIndex: role == .leader ? termStartIndex : 0)
    }

    public var currentRole: RaftRole { role }
    public var currentTerm: UInt64 { term }
    public var currentLeader: RaftNodeID? { leader }
    public var commitIndex: UInt64 { log.committed }
    public var lastLogPosition: RaftLogPosition { log.lastPosition }
    /// The configuration in force: the latest in the log, committed or not.
    public var membership: RaftMembership { membershipHistory[membershipHistory.count - 1].membership }
    /// The term of the entry at `index`, if it is in the in-memory log (or is its base).
    public func term(at index: UInt64) -> UInt64? { log.term(at: index) }
    /// The entry at `index`, if it is in the in-memory log.
    public func entry(at index: UInt64) -> RaftEntry? { log.entry(at: index) }
    /// The position the in-memory log starts after.
    public var logBase: RaftLogPosition { log.base }

    // MARK: - Internals shared by the extensions

    var isVoter: Bool { membership.isVoter(id) }

    /// Whether this node may campaign: it votes in the latest configuration, or that configuration removes it but
    /// is not committed yet and the committed one still counts it. (Otherwise a leader that removed itself and
    /// crashed before the removal committed could block elections: it would not campaign, and its longer log would
    /// stop the others from winning its vote.)
    var isPromotable: Bool {
        if isVoter { return true }
        let latest = membershipHistory[membershipHistory.count - 1]
        return latest.index > log.committed && membership(at: log.committed).isVoter(id)
    }

    var currentHardState: RaftHardState { RaftHardState(term: term, vote: vote, commit: log.committed) }
    var currentSoftState: RaftSoftState { RaftSoftState(role: role, leader: leader, term: term) }

    var snapshotRequestDue: Bool {
        options.snapshotThreshold > 0 && !snapshotRequested
            && log.committed - (snapshot?.metadata.index ?? 0) >= options.snapshotThreshold
    }

    mutating func send(to: RaftNodeID, term: UInt64? = nil, _ payload: RaftMessage.Payload) {
        outbox.append(RaftMessage(from: id, to: to, term: term ?? self.term, payload: payload))
    }

    mutating func resetRandomizedElectionTimeout() {
        randomizedElectionTimeout =
            options.electionTicks + Int(random.next() % UInt64(options.electionTicks))
    }

    /// A leader-only message of the current term arrived: whoever sent it leads this term.
    mutating func acceptLeaderMessage(from sender: RaftNodeID) -> Bool {
        if role == .leader { return false }  // two leaders in one term cannot happen; ignore
        if role != .follower || leader != sender { becomeFollower(term: term, leader: sender) }
        electionElapsed = 0
        return true
    }

    mutating func requireLeaderAcceptingProposals() throws(RaftError) {
        guard role == .leader else {
            throw RaftError(.notLeader, "node \(id) is not the leader", leader: leader)
        }
        guard transferTarget == nil else {
            throw RaftError(.transferInProgress, "leadership is being transferred", leader: leader)
        }
    }
}
