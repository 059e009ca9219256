/// The outcome of one simulated run.
public struct RaftSimulationResult: Sendable {
    public var seed: UInt64
    /// A hash over the whole event trace: the same seed and options give the same digest.
    public var digest: UInt64
    /// The first invariant violation, if any (the run stops there).
    public var violation: String?
    /// The last events before the end (or the violation), oldest first.
    public var traceTail: [String]
    /// Every event's line, when `verbose`.
    public var trace: [String]
    public var stats: RaftSimulationStats

    public var passed: Bool { violation == nil }
}

/// Counters of one run.
public struct RaftSimulationStats: Sendable, Hashable, CustomStringConvertible {
    public var events = 0
    public var messagesDelivered = 0
    public var messagesDropped = 0
    public var messagesDuplicated = 0
    public var crashes = 0
    public var partitions = 0
    public var pauses = 0
    public var slowDisks = 0
    public var leadersElected = 0
    public var transfers = 0
    public var membershipChanges = 0
    public var snapshotsTaken = 0
    public var snapshotsInstalled = 0
    public var proposals = 0
    public var acknowledged = 0
    public var committedIndex: UInt64 = 0
    /// Virtual time from the end of the faults until a leader was known, in election timeouts.
    public var electionTimeoutsToLeader = 0.0

    public init() {}

    public var description: String {
        "events=\(events) delivered=\(messagesDelivered) dropped=\(messagesDropped) dup=\(messagesDuplicated) "
            + "crashes=\(crashes) partitions=\(partitions) pauses=\(pauses) slowDisks=\(slowDisks) "
            + "leaders=\(leadersElected) transfers=\(transfers) membership=\(membershipChanges) "
            + "snapshots=\(snapshotsTaken)/\(snapshotsInstalled) proposals=\(proposals) acked=\(acknowledged) "
            + "committed=\(committedIndex) heal→leader=\(electionTimeoutsToLeader) election timeouts"
    }
}
