/// The state a node must persist before it sends any message that depends on it.
///
/// `term` and `vote` are Raft's "persistent state on all servers"; `commit` lets a restarted node re-apply
/// committed entries without waiting for a leader. It is never ahead of the entries persisted beside it.
public struct RaftHardState: Hashable, Sendable {
    public var term: UInt64
    public var vote: RaftNodeID?
    public var commit: UInt64

    public init(term: UInt64 = 0, vote: RaftNodeID? = nil, commit: UInt64 = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }
}
