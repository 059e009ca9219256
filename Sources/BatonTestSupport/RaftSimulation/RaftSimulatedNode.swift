import BatonRaft

/// One simulated Baton node: its durable storage (what survives a crash), its volatile Raft state and application
/// state, and the batch its disk is writing.
struct RaftSimulatedNode {
    let id: RaftNodeID
    let options: RaftOptions
    /// Nil while crashed.
    var machine: RaftStateMachine?
    /// What has been synced to disk.
    var durable: RaftDurableState
    /// The batch being written; its messages go out (and its entries get applied) only when the write completes.
    var writing: RaftReady?
    /// Bumped on every crash, so that a disk completion from before the crash is ignored.
    var generation = 0
    /// Inputs that arrived while the node was busy writing or paused, handled in order afterwards.
    var inbox: [RaftSimulationInput] = []
    var pendingTicks = 0
    var paused = false
    var slowDisk = false
    /// Virtual time between two ticks of this node's clock (clock drift differs per node).
    let tickInterval: UInt64
    /// Application state: the client operations applied, in order, and the index they reflect.
    var applied: [UInt64] = []
    var appliedIndex: UInt64 = 0
    /// Operations proposed through this node since it last started: index and term → operation.
    var pendingProposals: [(position: RaftLogPosition, op: UInt64)] = []
    /// Whether the node has ever been started (a learner added later starts when added).
    var started = false

    var isUp: Bool { machine != nil }
}

enum RaftSimulationInput {
    case message(RaftMessage)
}

/// The application state machine of the simulation: an append-only log of client operation ids.
enum RaftSimulationApp {
    static func command(_ op: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: op >> (8 * UInt64($0))) }
    }

    static func op(_ data: [UInt8]) -> UInt64? {
        guard data.count == 8 else { return nil }
        var value: UInt64 = 0
        for (i, byte) in data.enumerated() { value |= UInt64(byte) << (8 * UInt64(i)) }
        return value
    }

    static func snapshot(_ ops: [UInt64]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ops.count * 8)
        for op in ops { bytes.append(contentsOf: command(op)) }
        return bytes
    }

    static func restore(_ bytes: [UInt8]) -> [UInt64]? {
        guard bytes.count % 8 == 0 else { return nil }
        return stride(from: 0, to: bytes.count, by: 8).map { op(Array(bytes[$0..<$0 + 8]))! }
    }
}

extension RaftDurableState {
    /// The last position of the persisted log.
    var lastPosition: RaftLogPosition { entries.last?.position ?? logBase }

    /// The term of the persisted entry at `index`; entries covered by the snapshot count as held.
    func term(at index: UInt64) -> UInt64? {
        if index <= logBase.index { return index == logBase.index ? logBase.term : snapshot?.metadata.term }
        let offset = Int(index - logBase.index - 1)
        return offset < entries.count ? entries[offset].term : nil
    }
}
