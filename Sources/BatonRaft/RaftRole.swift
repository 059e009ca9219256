/// What a node currently is in its term.
public enum RaftRole: String, Sendable, Hashable {
    case follower
    /// Asking for pre-votes (Raft thesis §9.6) before it disturbs the cluster with a real election.
    case preCandidate
    case candidate
    case leader
}
