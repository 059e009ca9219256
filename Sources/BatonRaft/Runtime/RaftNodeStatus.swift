/// The leader a node knows of: its id, its advertised address from the configuration, and its term.
public struct RaftLeader: Hashable, Sendable {
    public var id: RaftNodeID
    /// Where the leader's Raft transport listens (`host:port`), or nil when the configuration does not say.
    public var address: String?
    public var term: UInt64

    public init(id: RaftNodeID, address: String?, term: UInt64) {
        self.id = id
        self.address = address
        self.term = term
    }
}

/// A change of leadership seen by one node, from ``RaftNode/leadershipChanges()``.
public struct RaftLeadershipChange: Hashable, Sendable {
    public var term: UInt64
    /// The leader now known, or nil during an election.
    public var leader: RaftLeader?
    /// Whether this node is now the leader.
    public var isLeader: Bool
}

/// A read-only view of a running node, for status endpoints, metrics and tests.
public struct RaftNodeStatus: Hashable, Sendable {
    /// One other member of the configuration, as this node sees it.
    public struct Peer: Hashable, Sendable {
        public var id: RaftNodeID
        public var address: String
        public var role: RaftMember.Role
        /// On the leader: the highest index known to be replicated on the peer; nil elsewhere.
        public var matchIndex: UInt64?
        /// On the leader: how the leader replicates to the peer; nil elsewhere.
        public var replication: RaftPeerStatus.State?
        /// On the leader: whether the peer answered within the current CheckQuorum period.
        public var recentlyActive: Bool?
        /// Time since this node last received a message from the peer, or nil if it never has since it started.
        public var lastContact: Duration?
    }

    public var id: RaftNodeID
    /// False before the node has loaded its storage, and after it stopped.
    public var running: Bool
    public var role: RaftRole
    /// Whether this node leads now (see ``RaftNode/isLeader``).
    public var isLeader: Bool
    public var term: UInt64
    public var leader: RaftLeader?
    public var commitIndex: UInt64
    public var appliedIndex: UInt64
    public var lastLog: RaftLogPosition
    public var snapshotIndex: UInt64
    /// The configuration in force (the latest in the log, committed or not).
    public var membership: RaftMembership
    /// Every other member, sorted by id.
    public var peers: [Peer]
    /// On a follower: time since the leader was last heard from; nil on the leader or when no leader is known.
    public var leaderLastContact: Duration?
}
