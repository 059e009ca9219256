import BatonRaft
import Foundation
import Logging
import ServiceLifecycle

/// This node's membership of the Raft group, as the daemon and the API see it: leadership, status, membership
/// changes by address, and the duties of a node that takes office (publish its API URL; hand leadership to the
/// preferred leader).
public final class RaftCluster: Service, Sendable {
    public let node: RaftNode<ContinuousClock>
    public let settings: BatonConfiguration.RaftSettings
    public let commands: RaftCommandLog
    let logger: Logger

    public init(
        node: RaftNode<ContinuousClock>, settings: BatonConfiguration.RaftSettings, commands: RaftCommandLog, logger: Logger
    ) {
        self.node = node
        self.settings = settings
        self.commands = commands
        self.logger = logger
    }

    public var isLeader: Bool { node.isLeader }
    public var status: RaftNodeStatus { node.status }

    /// The leader's Raft address, when one is known.
    public var leaderAddress: String? { node.leader?.address }

    /// The leader's HTTP API, when it published one.
    public var leaderAPI: String? { commands.leaderAPI }

    /// Whether this node sees a leader and a quorum it can reach (orchestrator's `raft-health`).
    public var isHealthy: Bool { node.leader != nil && node.status.running }

    /// The id of a member named by its Raft address (or by its id).
    public func member(_ address: String) -> RaftMember? {
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
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
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
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// `raft-remove-peer/:addr`: removes a node (possibly this one, which then steps down).
    public func removePeer(_ address: String) async throws {
        guard let member = member(address) else { throw CommandError("\(address) is not a member of the Raft group") }
        try await node.removeServer(member.id)
    }

    /// Watches leadership: on taking office, publish this node's API URL and, when another node is the preferred
    /// leader and is caught up, hand leadership to it.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await change in self.node.leadershipChanges() where change.isLeader {
                self.logger.notice("Raft leadership taken", metadata: ["baton.raft.term": "\(change.term)"])
                do {
                    _ = try await self.commands.submit(.leaderAPI(node: self.settings.selfID, url: self.settings.httpAdvertise))
                } catch {
                    self.logger.warning("Cannot publish this leader's API", metadata: ["baton.error": "\(error)"])
                }
                await self.handToPreferredLeader()
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
