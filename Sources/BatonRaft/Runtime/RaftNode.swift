import Logging
import ServiceLifecycle
import Synchronization

/// A Raft node at work: the runtime around ``RaftStateMachine``.
///
/// It owns the clock and the tick timer, the transport, the storage and the application, feeds the state machine
/// its inputs (ticks, received messages, proposals, transfers, membership changes) and performs each ``RaftReady``
/// strictly in order: persist (durably) → send → apply → snapshot. Run it as a `Service` (in the daemon's
/// `ServiceGroup`); the async API below may be called from any task, before or while it runs.
///
/// ```swift
/// let transport = try await RaftTCPTransport.bind(.init(nodeID: 1, host: "10.0.0.1", port: 10008), logger: logger)
/// let storage = try RaftSQLiteStorage(directory: raftDataDir, nodeID: 1)
/// let node = try RaftNode(configuration: .init(id: 1, bootstrap: members), storage: storage,
///                         transport: transport, application: app, logger: logger)
/// // in the ServiceGroup: node.run()
/// let result = try await node.propose(commandBytes)   // committed and applied here
/// ```
public final class RaftNode<C: Clock>: Service where C.Duration == Duration {
    public let id: RaftNodeID
    public let configuration: RaftNodeConfiguration
    let storage: any RaftStorage
    let transport: any RaftTransport
    let application: any RaftApplication
    let clock: C
    let logger: Logger
    let inbox: RaftNodeInbox
    let shared: Mutex<Shared>

    /// What the loop publishes for the synchronous accessors, and the leadership subscribers.
    struct Shared {
        var running = false
        var stopped = false
        var status: RaftStatus?
        var lastContact: [RaftNodeID: C.Instant] = [:]
        /// Per voter, when the newest heartbeat it acknowledged was sent (the lease runs from there).
        var leaseFrom: [RaftNodeID: C.Instant] = [:]
        /// When the loop last finished handling a batch of events.
        var lastRound: C.Instant?
        var leadership = RaftLeadershipChange(term: 0, leader: nil, isLeader: false)
        var subscribers: [Int: AsyncStream<RaftLeadershipChange>.Continuation] = [:]
        var nextSubscriber = 0
    }

    /// Creates a node; nothing happens until ``run()``.
    ///
    /// - Throws: ``RaftNodeError`` `.invalidConfiguration` when the options are out of range or messages could exceed
    ///   what the transport carries (snapshot chunks, AppendEntries, the largest command).
    public init(
        configuration: RaftNodeConfiguration, storage: any RaftStorage, transport: any RaftTransport,
        application: any RaftApplication, clock: C, logger: Logger
    ) throws(RaftNodeError) {
        try configuration.validate(maxMessageSize: transport.maxMessageSize)
        var logger = logger
        logger[metadataKey: "baton.raft.node"] = "\(configuration.id)"
        self.id = configuration.id
        self.configuration = configuration
        self.storage = storage
        self.transport = transport
        self.application = application
        self.clock = clock
        self.logger = logger
        self.inbox = RaftNodeInbox(maxQueuedMessages: configuration.maxQueuedMessages)
        self.shared = Mutex(Shared())
    }

    // MARK: - Leadership and status

    /// Whether this node leads now: the state machine is leader (it steps down when CheckQuorum finds it cut off),
    /// it has applied its own term's first entry (so its state holds everything earlier leaders committed), its loop
    /// is alive, and a quorum of voters (this node included, if it votes) acknowledged a heartbeat *sent* less than
    /// one election timeout ago, minus a drift margin — the lease is measured from the send, so a leader that stalled
    /// does not count the stall as time it led. Act as the leader only while this is true.
    public var isLeader: Bool {
        let now = clock.now
        return shared.withLock { $0.leads(now: now, electionTimeout: configuration.electionTimeout) }
    }

    /// The term this node leads in while ``isLeader`` is true; nil otherwise. A plan made in one term is carried out
    /// only while this still answers the same term: a node that lost leadership and won it back must not resume it.
    public var leadingTerm: UInt64? {
        let now = clock.now
        return shared.withLock { shared in
            shared.leads(now: now, electionTimeout: configuration.electionTimeout) ? shared.status?.term : nil
        }
    }

    /// The leader this node knows of (itself included), or nil during an election or before the node runs.
    public var leader: RaftLeader? {
        shared.withLock { shared in shared.status.flatMap(Self.leader(in:)) }
    }

    /// Term, role, indexes, the configuration, each peer's replication progress and last contact.
    public var status: RaftNodeStatus {
        let now = clock.now
        return shared.withLock { shared in
            let leads = shared.leads(now: now, electionTimeout: configuration.electionTimeout)
            guard let status = shared.status else {
                return RaftNodeStatus(
                    id: id, running: false, role: .follower, isLeader: false, term: 0, leader: nil, commitIndex: 0,
                    appliedIndex: 0, lastLog: .zero, snapshotIndex: 0, membership: RaftMembership(), peers: [],
                    leaderLastContact: nil)
            }
            let peers = status.membership.members.filter { $0.id != id }.map { member in
                let progress = status.peers.first { $0.id == member.id }
                return RaftNodeStatus.Peer(
                    id: member.id, address: member.address, role: member.role, matchIndex: progress?.matchIndex,
                    replication: progress?.state, recentlyActive: progress?.recentlyActive,
                    lastContact: shared.lastContact[member.id].map { $0.duration(to: now) })
            }
            let leaderContact: Duration? =
                if let leader = status.leader, leader != id {
                    shared.lastContact[leader].map { $0.duration(to: now) }
                } else {
                    nil
                }
            return RaftNodeStatus(
                id: id, running: shared.running, role: status.role, isLeader: leads, term: status.term,
                leader: Self.leader(in: status), commitIndex: status.commitIndex, appliedIndex: status.appliedIndex,
                lastLog: status.lastLog, snapshotIndex: status.snapshotIndex, membership: status.membership,
                peers: peers, leaderLastContact: leaderContact)
        }
    }

    /// Leadership as this node sees it: the current state at once, then every change (who leads, and whether this
    /// node does, as ``isLeader`` says), until the node stops.
    public func leadershipChanges() -> AsyncStream<RaftLeadershipChange> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: RaftLeadershipChange.self, bufferingPolicy: .bufferingNewest(64))
        let registered = shared.withLock { shared -> Int? in
            continuation.yield(shared.leadership)
            guard !shared.stopped else { return nil }
            let key = shared.nextSubscriber
            shared.nextSubscriber += 1
            shared.subscribers[key] = continuation
            return key
        }
        guard let registered else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.shared.withLock { $0.subscribers.removeValue(forKey: registered) }
        }
        return stream
    }

    // MARK: - Requests

    /// Proposes a command and returns the application's result once the command is committed and applied on this
    /// node.
    ///
    /// - Throws: ``RaftNodeError`` `.notLeader` (with the known leader, to forward to); `.leadershipLost` or
    ///   `.timeout` or `.cancelled` (the command may still commit: the outcome is unknown); `.tooLarge`; `.refused`
    ///   (for example while leadership is being transferred); `.stopped`.
    public func propose(_ command: [UInt8], timeout: Duration? = nil) async throws(RaftNodeError) -> [UInt8] {
        guard command.count <= configuration.maxCommandSize else {
            throw RaftNodeError(
                .tooLarge, "the command has \(command.count) bytes; at most \(configuration.maxCommandSize) fit")
        }
        return try await request(.propose(command), timeout: timeout)
    }

    /// Adds a node as a learner (it receives the log but does not vote) and returns once the change is committed
    /// and applied here. Promote it with ``promote(_:timeout:)`` once it has caught up.
    public func addLearner(_ node: RaftNodeID, address: String, timeout: Duration? = nil) async throws(RaftNodeError) {
        _ = try await request(.membership(.addLearner(node, address: address)), timeout: timeout)
    }

    /// Makes a learner a voter; refused (`.refused`, `learnerNotCaughtUp`) until its log reaches the commit index.
    public func promote(_ node: RaftNodeID, timeout: Duration? = nil) async throws(RaftNodeError) {
        _ = try await request(.membership(.promote(node)), timeout: timeout)
    }

    /// Removes a voter or learner, this node included; a removed leader steps down once the removal commits and
    /// hands over to the most up-to-date voter.
    public func removeServer(_ node: RaftNodeID, timeout: Duration? = nil) async throws(RaftNodeError) {
        _ = try await request(.membership(.remove(node)), timeout: timeout)
    }

    /// Records a member's new address in the configuration (its id and vote do not change).
    public func updateAddress(of node: RaftNodeID, to address: String, timeout: Duration? = nil)
        async throws(RaftNodeError)
    {
        _ = try await request(.membership(.updateAddress(node, address: address)), timeout: timeout)
    }

    /// Hands leadership to `target` and returns once this node knows `target` leads.
    ///
    /// - Throws: ``RaftNodeError`` `.notLeader`; `.refused` for an invalid target (this node, a learner, a
    ///   stranger); `.timeout` when the target did not take over (the leader abandons a transfer after one election
    ///   timeout).
    public func transferLeadership(to target: RaftNodeID, timeout: Duration? = nil) async throws(RaftNodeError) {
        _ = try await request(.transfer(target), timeout: timeout)
    }

    func request(_ kind: RaftNodeRequest.Kind, timeout: Duration?) async throws(RaftNodeError) -> [UInt8] {
        let reply = RaftNodeReply()
        let request = RaftNodeRequest(kind: kind, timeout: timeout ?? configuration.requestTimeout, reply: reply)
        let result = await withTaskCancellationHandler {
            if !inbox.push(.request(request)) {
                reply.resolve(.failure(RaftNodeError(.stopped, "the Raft node is stopped")))
            }
            return await reply.wait()
        } onCancel: {
            reply.resolve(.failure(RaftNodeError(.cancelled, "the request was cancelled; its outcome is unknown")))
        }
        return try result.get()
    }

    /// Whether the node's loop is waiting for an event and none is queued. Tests that drive a group on a test clock
    /// over the in-memory transport wait for every node to be idle before moving time.
    public var isIdle: Bool { inbox.isIdle }

    /// Returns once the node's loop waits with nothing queued (at once if it does now), or once the node stopped.
    public func waitUntilIdle() async { await inbox.waitUntilIdle() }

    static func leader(in status: RaftStatus) -> RaftLeader? {
        guard let id = status.leader else { return nil }
        return RaftLeader(id: id, address: status.membership.member(id)?.address, term: status.term)
    }
}

extension RaftNode where C == ContinuousClock {
    /// Creates a node on the continuous clock.
    public convenience init(
        configuration: RaftNodeConfiguration, storage: any RaftStorage, transport: any RaftTransport,
        application: any RaftApplication, logger: Logger
    ) throws(RaftNodeError) {
        try self.init(
            configuration: configuration, storage: storage, transport: transport, application: application,
            clock: ContinuousClock(), logger: logger)
    }
}

extension RaftNode.Shared {
    /// Taken off the lease: the voters' election timers run on their own clocks and tick granularity.
    static func driftMargin(_ electionTimeout: Duration) -> Duration { electionTimeout / 10 }

    /// See ``RaftNode/isLeader``.
    func leads(now: C.Instant, electionTimeout: Duration) -> Bool {
        #if BATON_MUTANT_NO_CHECK_QUORUM
        // The deliberately broken build of scripts/mutant-check: no quorum-contact check here either.
        return running && status?.role == .leader
        #else
        guard running, let status, status.role == .leader, status.appliedIndex >= status.termStartIndex, let lastRound,
            now < lastRound.advanced(by: electionTimeout)
        else { return false }
        let membership = status.membership
        var heard = 0
        for voter in membership.voters {
            if voter == status.id {
                heard += 1
            } else if let sent = leaseFrom[voter], now < sent.advanced(by: electionTimeout - Self.driftMargin(electionTimeout)) {
                heard += 1
            }
        }
        return heard >= membership.quorum
        #endif
    }
}
