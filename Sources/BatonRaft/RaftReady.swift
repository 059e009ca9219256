/// A batch of work the state machine hands to its runtime: what to persist, what to send, what to apply.
///
/// Handle a batch completely, in this order, before handing the state machine its next input:
/// 1. **Persist** (atomically, and durably — fsync — before step 2): `snapshot` (store it as the latest), then
///    `compaction`, then `entries` (delete every persisted entry with an index ≥ `entries[0].index`, then append),
///    then `hardState`.
/// 2. **Send** `messages`. Never before step 1 is durable: a vote or an acknowledgement sent before its state is
///    on disk can be forgotten by a crash, and then the same node votes twice in a term or a committed entry is
///    lost. (Runtimes that pipeline must keep batches in order and send a batch's messages only once it and every
///    earlier batch are durable.)
/// 3. **Apply**: restore the application's state from `snapshotToApply` if set, then apply `committedEntries` in
///    order (`.command` entries; `.noop` and `.membership` entries need nothing from the application).
/// 4. If `snapshotRequest` is set, serialize the application's state (which now reflects every entry through that
///    index) and call ``RaftStateMachine/snapshotTaken(index:data:)``; this may happen later, from another task, as
///    long as the state handed over is the state at the index given.
public struct RaftReady: Sendable {
    /// Role or leader changes since the last batch, for observers (leader checks, metrics).
    public var softState: RaftSoftState?
    /// Term, vote and commit index to persist, when changed.
    public var hardState: RaftHardState?
    /// A snapshot to persist as the node's latest (taken locally, or received from the leader).
    public var snapshot: RaftSnapshot?
    /// Log entries to delete because a snapshot covers them.
    public var compaction: RaftLogCompaction?
    /// Entries to persist; they replace persisted entries from `entries[0].index` on.
    public var entries: [RaftEntry] = []
    /// Messages to send once the above is durable.
    public var messages: [RaftMessage] = []
    /// A snapshot received from the leader: replace the application's state with it before applying entries.
    public var snapshotToApply: RaftSnapshot?
    /// Committed entries to apply, in order.
    public var committedEntries: [RaftEntry] = []
    /// Asks the application for a snapshot of its state at this index (see the steps above).
    public var snapshotRequest: UInt64?

    public init() {}

    /// Whether the batch holds anything that must be written to disk before its messages go out.
    public var needsPersisting: Bool {
        hardState != nil || snapshot != nil || compaction != nil || !entries.isEmpty
    }

    var isEmpty: Bool {
        softState == nil && !needsPersisting && messages.isEmpty && snapshotToApply == nil
            && committedEntries.isEmpty && snapshotRequest == nil
    }
}

/// How the persisted log shrinks when a snapshot covers part of it.
public enum RaftLogCompaction: Hashable, Sendable {
    /// Delete entries with index ≤ `through.index`; the log now starts after `through` (remember that position).
    case compact(through: RaftLogPosition)
    /// Delete every entry: a snapshot from the leader replaced the log, which now starts after `to`.
    case reset(to: RaftLogPosition)

    /// The position the persisted log starts after.
    public var base: RaftLogPosition {
        switch self {
        case .compact(let position), .reset(let position): position
        }
    }
}

/// The volatile part of a node's state that observers care about.
public struct RaftSoftState: Hashable, Sendable {
    public var role: RaftRole
    public var leader: RaftNodeID?
    public var term: UInt64

    public init(role: RaftRole, leader: RaftNodeID?, term: UInt64) {
        self.role = role
        self.leader = leader
        self.term = term
    }
}
