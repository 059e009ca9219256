import BatonRaft
import BatonStore
import Foundation
import Logging
import ServiceLifecycle

/// One node's view of its Raft group, as the daemon and the API see it: leadership, status, membership changes by
/// address, and the duties of a node that takes office (publish its API URL; hand leadership to the preferred
/// leader). The Raft node itself stays inside `BatonEngine`: the API reads `groupStatus`, a plain value.
public final class RaftGroupView<C: Clock>: Service, Sendable where C.Duration == Duration {
    let node: RaftNode<C>
    public let settings: BatonConfiguration.RaftSettings
    let commands: RaftCommandLog<C>
    let clock: C
    let logger: Logger
    /// Signalled on every change of leadership this node sees (the recovery coordinator wakes on it).
    public let leadershipChanged = ChangeSignal()

    init(
        node: RaftNode<C>, settings: BatonConfiguration.RaftSettings, commands: RaftCommandLog<C>, clock: C,
        logger: Logger
    ) {
        self.node = node
        self.settings = settings
        self.commands = commands
        self.clock = clock
        self.logger = logger
    }

    /// Opens the Raft log, binds the transport and builds the node. The replicated tables are cleared first: the
    /// snapshot and the log rebuild them, so no command is applied twice.
    static func start(
        _ settings: BatonConfiguration.RaftSettings, database: BatonDatabase, applier: BatonCommandApplier, clock: C,
        logger: Logger
    ) async throws -> RaftGroupView {
        try database.clearReplicatedState()
        let id = RaftNodeID(settings.selfID)
        let storage = try RaftSQLiteStorage(directory: settings.dataDirectory, nodeID: id)
        let transport = try await RaftTCPTransport.bind(
            .init(
                nodeID: id, host: settings.bindHost, port: settings.bindPort, advertisedAddress: settings.advertise,
                sharedSecret: settings.sharedSecret.value.isEmpty ? nil : settings.sharedSecret.value),
            logger: logger)
        let membership = RaftMembership(settings.nodes.map { RaftMember(id: RaftNodeID($0.id), address: $0.address) })
        var options = RaftOptions()
        options.snapshotThreshold = UInt64(settings.snapshotThreshold)
        options.trailingEntries = UInt64(settings.snapshotTrailingEntries)
        #if BATON_MUTANT_NO_CHECK_QUORUM
        // A deliberately broken build, made only by scripts/mutant-check to prove that the fault-injection suite
        // fails when a leader cut off from its quorum keeps leading.
        options.checkQuorum = false
        logger.critical("Deliberately broken build: CheckQuorum is off. Never run this build against real servers.")
        #endif
        let node = try RaftNode(
            configuration: RaftNodeConfiguration(
                id: id, bootstrap: settings.bootstrap ? membership : nil, options: options,
                tickInterval: .milliseconds(settings.tickMilliseconds)),
            storage: storage, transport: transport,
            application: BatonRaftApplication(applier: applier, logger: logger), clock: clock, logger: logger)
        logger.info(
            "Raft node configured",
            metadata: [
                "baton.raft.id": "\(id)", "baton.raft.advertise": "\(settings.advertise)",
                "baton.raft.members": "\(settings.nodes.map(\.address).joined(separator: ","))",
                "baton.raft.authenticated": "\(!settings.sharedSecret.value.isEmpty)",
            ])
        return RaftGroupView(
            node: node, settings: settings, commands: RaftCommandLog(node: node, applier: applier), clock: clock,
            logger: logger)
    }

    /// Leadership as recoveries ask for it: true only while this node leads a live quorum.
    func leadership(nodeName: String) -> RaftLeadership<C> { RaftLeadership(node: node, nodeName: nodeName) }

    public var isLeader: Bool { node.isLeader }

    /// The group as this node sees it now.
    public var groupStatus: RaftGroupStatus { RaftGroupStatus(node.status, leaderAddress: leaderAddress) }

    /// The leader's Raft address, when one is known.
    public var leaderAddress: String? { node.leader?.address }

    /// The leader's HTTP API, when it published one.
    public var leaderAPI: String? { commands.leaderAPI }

    /// Whether this node sees a leader and a quorum it can reach (orchestrator's `raft-health`).
    public var isHealthy: Bool { node.leader != nil && node.status.running }

    /// The voters now, named by their Raft addresses, with the APIs they published (for confirmation rounds).
    public func confirmationVoters() -> [ConfirmationVoter] {
        let status = node.status
        let membership = status.membership
        return membership.voters.compactMap { id in
            membership.member(id).map { member in
                ConfirmationVoter(
                    name: member.address, api: commands.applier.publishedNodeAPI(id.rawValue),
                    recentlyActive: id == node.id || status.peers.first { $0.id == id }?.recentlyActive != false)
            }
        }
    }

    /// The API this node published in the replicated state (`nodeAPI`, or `leaderAPI` when it led).
    public var publishedOwnAPI: String? { commands.applier.publishedNodeAPI(settings.selfID) }

    /// The id of a member named by its Raft address (or by its id).
    func member(_ address: String) -> RaftMember? {
        let members = node.status.membership.members
        if let id = UInt64(address), let member = members.first(where: { $0.id.rawValue == id }) { return member }
        return members.first { $0.address == address }
    }

    /// `raft-yield/:node`: hands leadership to that node (this node must lead).
    public func yield(to address: String) async throws {
        guard let member = member(address) else { throw CommandError("\(address) is not a member of the Raft group") }
        try await node.transferLeadership(to: member.id)
    }

    /// `raft-add-peer/:addr`: adds a node (as a learner, then a voter once it has caught up).
    /// `address` may carry an explicit id, `ID@host:port` (a wiped node rejoins under a new id).
    public func addPeer(_ address: String) async throws -> UInt64 {
        guard let entry = BatonConfiguration.raftNode(address) else {
            throw CommandError("\(address) is not host:port or ID@host:port")
        }
        let id = RaftNodeID(entry.id)
        try await node.addLearner(id, address: entry.address)
        let deadline = clock.now.advanced(by: .seconds(60))
        while true {
            let failure: RaftNodeError
            do {
                try await node.promote(id)
                return id.rawValue
            } catch {
                failure = error
            }
            // Refused until the learner has caught up.
            guard failure.code == .refused, clock.now < deadline else { throw failure }
            try await clock.sleep(for: .milliseconds(200))
        }
    }

    /// `raft-remove-peer/:addr`: removes a node (possibly this one, which then steps down).
    public func removePeer(_ address: String) async throws {
        guard let member = member(address) else { throw CommandError("\(address) is not a member of the Raft group") }
        try await node.removeServer(member.id)
    }

    /// Watches leadership: on taking office, publish this node's API URL and, when another node is the preferred
    /// leader and is caught up, hand leadership to it. Every change is signalled on `leadershipChanged`.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await change in self.node.leadershipChanges() {
                self.leadershipChanged.signal()
                guard change.isLeader else { continue }
                self.logger.notice("Raft leadership taken", metadata: ["baton.raft.term": "\(change.term)"])
                await self.publishAPI(term: change.term)
                await self.handToPreferredLeader()
            }
        }
    }

    /// Publishes this leader's API for the followers to forward to, retrying until it is applied or this node no
    /// longer leads in `term`: without it, followers answer "no Raft leader is known" for the whole term.
    func publishAPI(term: UInt64) async {
        var attempt = 0
        while !Task.isCancelled, node.leadingTerm == term {
            do {
                _ = try await commands.submit(.leaderAPI(node: settings.selfID, url: settings.httpAdvertise))
                return
            } catch {
                attempt += 1
                if attempt == 1 || attempt % 50 == 0 {
                    logger.warning(
                        "Cannot publish this leader's API yet", metadata: ["baton.error": "\(error)", "baton.attempt": "\(attempt)"])
                }
                try? await clock.sleep(for: .milliseconds(200))
            }
        }
    }

    func handToPreferredLeader() async {
        let preferred = settings.preferredLeader
        guard !preferred.isEmpty, preferred != settings.advertise, let member = member(preferred) else { return }
        let status = node.status
        guard let peer = status.peers.first(where: { $0.id == member.id }), peer.recentlyActive == true,
            (peer.matchIndex ?? 0) >= status.commitIndex
        else { return }
        do {
            try await node.transferLeadership(to: member.id)
            logger.notice("Leadership handed to the preferred leader", metadata: ["baton.raft.leader": "\(preferred)"])
        } catch {
            logger.info("Preferred leader did not take over", metadata: ["baton.error": "\(error)"])
        }
    }
}
