/// The replicated state machine a ``RaftNode`` drives: what committed commands do, and how its state is copied.
///
/// The node calls these methods from one task, one at a time and in log order, so an implementation needs no locking
/// of its own between them. `apply` must be deterministic: every node applies the same commands in the same order
/// and must reach the same state.
public protocol RaftApplication: Sendable {
    /// Applies one committed `.command` entry and returns its result, handed to the proposer on the node where
    /// ``RaftNode/propose(_:timeout:)`` was called (other nodes discard it).
    ///
    /// A command the application refuses (bad input, a failed precondition) is still applied: encode the refusal in
    /// the result. Throw only when the application cannot go on (its disk failed): the node then stops, because it
    /// may not skip an entry.
    func apply(_ entry: RaftEntry) async throws -> [UInt8]

    /// Serializes the application's whole state; it reflects every entry applied so far.
    func takeSnapshot() async throws -> [UInt8]

    /// Replaces the application's whole state with a snapshot's (taken by ``takeSnapshot()`` on some node).
    func restore(_ snapshot: RaftSnapshot) async throws

    /// The index of the last entry the application's *durable* state already reflects, read once at start-up, or
    /// nil when the application keeps its state in memory only.
    ///
    /// With nil, the node restores the latest snapshot at start-up and applies the committed entries after it again.
    /// An application that persists its state must record the index of each applied entry atomically with the entry's
    /// effects (and the snapshot's index with a restore), and return it here, so that nothing is applied twice.
    func appliedIndex() async throws -> UInt64?
}

extension RaftApplication {
    /// An application without durable state of its own.
    public func appliedIndex() async throws -> UInt64? { nil }
}
