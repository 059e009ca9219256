import BatonRaft

/// What one simulated run does. Everything not set here is drawn from the seed (a "swarm" configuration: timeouts,
/// message sizes, snapshot sizes, network and fault rates), so that different seeds explore different corners.
public struct RaftSimulationOptions: Sendable, Hashable {
    public var seed: UInt64
    /// Founding voters: 3 or 5 (1 to 7 work).
    public var nodes: Int
    /// Events simulated while faults are injected; then the faults heal and liveness is checked.
    public var steps: Int
    /// A deliberate bug to prove the checks catch it; nil for the real thing.
    public var mutation: RaftSimulationMutation?
    /// Keeps a readable line for every event (slower); otherwise lines are only built for the trace tail.
    public var verbose: Bool
    /// Lines of trace kept for a failure report.
    public var traceTailLength: Int

    public init(
        seed: UInt64, nodes: Int = 3, steps: Int = 1500, mutation: RaftSimulationMutation? = nil,
        verbose: Bool = false, traceTailLength: Int = 60
    ) {
        self.seed = seed
        self.nodes = nodes
        self.steps = steps
        self.mutation = mutation
        self.verbose = verbose
        self.traceTailLength = traceTailLength
    }
}

/// Deliberate bugs the simulation must catch.
public enum RaftSimulationMutation: String, Sendable, Hashable, CaseIterable {
    /// A leader commits an earlier term's entry by counting replicas (the Raft paper's figure 8).
    case commitPreviousTermEntries
    /// Voters do not check that the candidate's log is at least as up to date as theirs.
    case skipVoteLogCheck
    /// Followers do not check that the entry before new entries matches.
    case skipPreviousEntryCheck
    /// The runtime sends a batch's messages before the batch is durable (breaks the persist-before-send contract).
    case sendBeforePersist

    var stateMachineMutation: RaftMutation? {
        switch self {
        case .commitPreviousTermEntries: .commitPreviousTermEntries
        case .skipVoteLogCheck: .skipVoteLogCheck
        case .skipPreviousEntryCheck: .skipPreviousEntryCheck
        case .sendBeforePersist: nil
        }
    }
}
