import BatonRaft

/// Runs seeded simulations of a whole Raft cluster on virtual time, in one thread.
public enum RaftSimulation {
    /// Runs one seed and checks every invariant along the way.
    public static func run(_ options: RaftSimulationOptions) -> RaftSimulationResult {
        let simulator = RaftSimulator(options)
        return simulator.run()
    }
}

/// The swarm configuration drawn from a seed.
struct RaftSimulationSwarm {
    var raft: RaftOptions
    var dropRate: Double
    var duplicateRate: Double
    var minimumDelay: UInt64
    var meanExtraDelay: Double
    var normalDiskLatency: UInt64
    var slowDiskLatency: UInt64
    var nemesisInterval: Double
    var clientInterval: Double

    init(_ random: inout RaftRandom) {
        raft = RaftOptions()
        raft.electionTicks = 8 + random.below(5)
        raft.heartbeatTicks = 1 + random.below(3)
        let preVoteOff = random.chance(0.1)
        let checkQuorumOff = random.chance(0.1)
        raft.checkQuorum = !checkQuorumOff
        // Never both off: without PreVote and without the leader lease that comes with CheckQuorum, a removed node
        // that never learns of its removal can depose every leader forever (Raft thesis §4.2.3). Baton runs with both.
        raft.preVote = !preVoteOff || checkQuorumOff
        raft.maxEntriesPerMessage = random.pick([1, 2, 4, 64])
        raft.maxBytesPerMessage = random.pick([1, 64, 1 << 20])
        raft.maxInflightMessages = random.pick([1, 2, 8])
        raft.snapshotThreshold = random.pick([0, 4, 10, 25])
        raft.trailingEntries = random.pick([0, 2, 10])
        raft.snapshotChunkSize = random.pick([16, 256, 4096])
        dropRate = random.pick([0, 0.01, 0.05, 0.15])
        duplicateRate = random.pick([0, 0.01, 0.05])
        minimumDelay = 1 + UInt64(random.below(3))
        meanExtraDelay = random.pick([1.0, 3.0, 8.0])
        normalDiskLatency = 1 + UInt64(random.below(3))
        slowDiskLatency = random.pick([40, 150, 400])
        nemesisInterval = random.pick([60.0, 150.0, 400.0])
        clientInterval = random.pick([10.0, 25.0, 60.0])
    }
}

enum RaftSimulationEvent {
    case tick(Int, generation: Int)
    case deliver(RaftMessage)
    case diskDone(Int, generation: Int)
    case nemesis
    case client
    case restart(Int)
    case resume(Int)
    case fastDisk(Int)
}
