/// A read-only view of a node, for status endpoints, metrics and tests.
public struct RaftStatus: Sendable, Hashable {
    public var id: RaftNodeID
    public var role: RaftRole
    public var term: UInt64
    public var vote: RaftNodeID?
    public var leader: RaftNodeID?
    public var commitIndex: UInt64
    public var appliedIndex: UInt64
    public var lastLog: RaftLogPosition
    /// The position the in-memory log starts after.
    public var logBase: RaftLogPosition
    public var snapshotIndex: UInt64
    /// The configuration in force (the latest in the log).
    public var membership: RaftMembership
    /// Replication state of each other member, on the leader; empty elsewhere.
    public var peers: [RaftPeerStatus]
    /// The node leadership is being handed to, on a leader that is transferring.
    public var transferTarget: RaftNodeID?
    /// On a leader, the index of its term's first entry (the no-op it appended on winning): until it has applied
    /// that, its state may lag what earlier leaders committed, and it must not act on it. 0 elsewhere.
    public var termStartIndex: UInt64 = 0
}

/// How far the leader's log has reached one member.
public struct RaftPeerStatus: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        /// Finding where the logs agree: one AppendEntries in flight at a time.
        case probe
        /// Streaming entries optimistically.
        case replicate
        /// Sending a snapshot in chunks.
        case snapshot
    }

    public var id: RaftNodeID
    public var matchIndex: UInt64
    public var nextIndex: UInt64
    public var state: State
    /// Whether the peer answered within the current CheckQuorum period.
    public var recentlyActive: Bool
    public var isLearner: Bool
}
