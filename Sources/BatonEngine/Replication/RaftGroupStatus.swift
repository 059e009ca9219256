import BatonRaft

/// The Raft group as one node sees it, as a plain value for the API (`raft-status`, `raft-state`, `health`): the
/// HTTP layer never imports `BatonRaft`.
public struct RaftGroupStatus: Sendable, Equatable {
    /// One member of the configuration in force.
    public struct Member: Sendable, Equatable {
        public var id: UInt64
        public var address: String
        public var isVoter: Bool
        /// On the leader: the highest index known to be replicated on the member; nil elsewhere and for this node.
        public var matchIndex: UInt64?
        /// On the leader: whether the member answered within the current CheckQuorum period; nil elsewhere.
        public var recentlyActive: Bool?
    }

    /// orchestrator's names for the node's state: `Leader`, `Candidate`, `Follower` or `Shutdown`.
    public var stateName: String
    public var term: UInt64
    public var commitIndex: UInt64
    public var appliedIndex: UInt64
    /// The leader's Raft address, when one is known.
    public var leaderAddress: String?
    /// Every member, in the configuration's order.
    public var members: [Member]
    /// The other members that answered the leader recently (known on the leader only).
    public var recentlyActivePeers: [String]

    init(_ status: RaftNodeStatus, leaderAddress: String?) {
        stateName = Self.stateName(status)
        term = status.term
        commitIndex = status.commitIndex
        appliedIndex = status.appliedIndex
        self.leaderAddress = leaderAddress
        members = status.membership.members.map { member in
            let peer = status.peers.first { $0.id == member.id }
            return Member(
                id: member.id.rawValue, address: member.address, isVoter: member.role == .voter,
                matchIndex: peer?.matchIndex, recentlyActive: peer?.recentlyActive)
        }
        recentlyActivePeers = status.peers.filter { $0.recentlyActive == true }.map(\.address)
    }

    static func stateName(_ status: RaftNodeStatus) -> String {
        guard status.running else { return "Shutdown" }
        switch status.role {
        case .leader: return status.isLeader ? "Leader" : "Candidate"
        case .candidate, .preCandidate: return "Candidate"
        case .follower: return "Follower"
        }
    }
}
