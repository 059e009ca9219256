/// Why the state machine refused a request.
public struct RaftError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable code for the kind of refusal.
    public enum Code: String, Sendable, Hashable {
        /// Only the leader accepts proposals, membership changes and transfers; `leader` says who leads, if known.
        case notLeader
        /// The leader is handing leadership over and accepts no proposals until the transfer ends.
        case transferInProgress
        /// A membership change is still uncommitted, or the leader has not committed an entry of its term yet.
        case membershipChangeInProgress
        /// The change does not fit the current configuration (unknown node, duplicate, last voter, …).
        case invalidMembershipChange
        /// A learner may only be promoted once its log has caught up with the leader's commit index.
        case learnerNotCaughtUp
        /// The transfer target is this node, unknown, or not a voter.
        case invalidTransferTarget
        /// A snapshot index that is not applied yet, already covered, or no longer in the log.
        case invalidSnapshot
        /// The durable state handed to the initializer is inconsistent.
        case invalidDurableState
        /// The options are out of range.
        case invalidOptions
    }

    public var code: Code
    public var message: String
    /// The leader this node knows of, for `.notLeader`, so that the caller can forward the request.
    public var leader: RaftNodeID?

    public init(_ code: Code, _ message: String, leader: RaftNodeID? = nil) {
        self.code = code
        self.message = message
        self.leader = leader
    }

    public var description: String { "raft \(code.rawValue): \(message)" }
}
