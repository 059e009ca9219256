/// Tuning of one Raft node. Time is counted in ticks: the runtime calls ``RaftStateMachine/tick()`` at a fixed
/// interval (for example every 50 ms with `heartbeatTicks` 1 and `electionTicks` 10).
public struct RaftOptions: Sendable, Hashable {
    /// Ticks without hearing from a leader before a follower campaigns; the actual timeout is drawn at random in
    /// [electionTicks, 2 × electionTicks). Also the CheckQuorum period and the leader lease.
    public var electionTicks: Int = 10
    /// Ticks between a leader's heartbeats; must be less than `electionTicks`.
    public var heartbeatTicks: Int = 1
    /// Ask for pre-votes before a real election, so that a node that was cut off cannot disturb a working cluster.
    public var preVote: Bool = true
    /// A leader steps down when it has not heard from a quorum within `electionTicks`; followers that hear from a
    /// leader within `electionTicks` ignore vote requests (the leader lease).
    public var checkQuorum: Bool = true
    /// Most entries in one AppendEntries message.
    public var maxEntriesPerMessage: Int = 64
    /// Entry data bytes in one AppendEntries message (at least one entry is always sent).
    public var maxBytesPerMessage: Int = 1 << 20
    /// AppendEntries messages in flight to one follower before the leader waits for acknowledgements.
    public var maxInflightMessages: Int = 16
    /// Bytes of snapshot per InstallSnapshot chunk.
    public var snapshotChunkSize: Int = 256 * 1024
    /// Applied entries since the last snapshot after which the state machine asks for a new one; 0 never asks.
    public var snapshotThreshold: UInt64 = 8192
    /// Entries kept in the log behind a snapshot, so that a follower that is a little behind gets entries rather
    /// than the whole snapshot.
    public var trailingEntries: UInt64 = 1024
    /// Seeds the generator of randomized election timeouts. Give each node a different seed (for example from
    /// `SystemRandomNumberGenerator` at start-up); simulations derive it from their own seed.
    public var randomSeed: UInt64 = 0
    /// A deliberate bug, for proving that the tests and the simulation catch it. Never set outside tests.
    package var mutation: RaftMutation?

    public init() {}

    /// Throws when a value is out of range.
    public func validate() throws(RaftError) {
        func check(_ ok: Bool, _ message: String) throws(RaftError) {
            if !ok { throw RaftError(.invalidOptions, message) }
        }
        try check(heartbeatTicks >= 1, "heartbeatTicks must be at least 1")
        try check(electionTicks > heartbeatTicks, "electionTicks must be greater than heartbeatTicks")
        try check(maxEntriesPerMessage >= 1, "maxEntriesPerMessage must be at least 1")
        try check(maxBytesPerMessage >= 1, "maxBytesPerMessage must be at least 1")
        try check(maxInflightMessages >= 1, "maxInflightMessages must be at least 1")
        try check(snapshotChunkSize >= 1, "snapshotChunkSize must be at least 1")
    }
}

/// Deliberate bugs that the test suite must catch (mutation testing of the tests themselves).
package enum RaftMutation: String, Sendable, Hashable, CaseIterable {
    /// The leader commits an entry of an earlier term by counting replicas (the Raft paper's figure 8 bug).
    case commitPreviousTermEntries
    /// Voters grant votes without checking that the candidate's log is at least as up to date.
    case skipVoteLogCheck
    /// Followers accept entries without checking that the previous entry matches.
    case skipPreviousEntryCheck
}
