/// Why a ``RaftNode`` request failed, with a stable code, a message for operators and the underlying cause.
public struct RaftNodeError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public var description: String { rawValue }
        /// This node is not the leader; ``RaftNodeError/leader`` says who is, if known: forward the request there.
        public static let notLeader = Code(rawValue: "raft.not_leader")
        /// This node lost leadership before the entry committed. The entry may still commit under the new leader:
        /// the outcome is unknown.
        public static let leadershipLost = Code(rawValue: "raft.leadership_lost")
        /// No answer within the timeout. The entry may still commit: the outcome is unknown.
        public static let timeout = Code(rawValue: "raft.timeout")
        /// The caller's task was cancelled while waiting; the outcome is unknown.
        public static let cancelled = Code(rawValue: "raft.cancelled")
        /// The state machine refused the request (a membership change in progress, an invalid transfer target, …);
        /// ``RaftNodeError/raftError`` says why.
        public static let refused = Code(rawValue: "raft.refused")
        /// The command is larger than the transport can carry.
        public static let tooLarge = Code(rawValue: "raft.too_large")
        /// The node is stopped or stopping.
        public static let stopped = Code(rawValue: "raft.stopped")
        /// The configuration does not fit the transport or the options are out of range.
        public static let invalidConfiguration = Code(rawValue: "raft.invalid_configuration")
        /// Persisting failed; the node stops (it may not send messages that depend on state it could not persist).
        public static let storageFailed = Code(rawValue: "raft.storage_failed")
        /// The application failed to apply an entry, take a snapshot or restore one; the node stops.
        public static let applicationFailed = Code(rawValue: "raft.application_failed")
        /// The stored state is inconsistent with itself or with the application's.
        public static let inconsistentState = Code(rawValue: "raft.inconsistent_state")
    }

    public let code: Code
    public let message: String
    /// The leader this node knows of, for `.notLeader` and `.leadershipLost`.
    public let leader: RaftLeader?
    /// The state machine's refusal, for `.refused` and `.notLeader`.
    public let raftError: RaftError?
    public let underlying: (any Error)?

    public init(
        _ code: Code, _ message: String, leader: RaftLeader? = nil, raftError: RaftError? = nil,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.leader = leader
        self.raftError = raftError
        self.underlying = underlying
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let leader { text += " (leader: node \(leader.id) at \(leader.address ?? "unknown address"))" }
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
