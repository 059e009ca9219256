/// What a node persisted, handed to ``RaftStateMachine/init(id:options:durable:appliedIndex:)`` at start-up.
///
/// It is exactly what the runtime wrote from ``RaftReady`` batches: the latest hard state, the latest snapshot, the
/// position the persisted log starts after (from the last ``RaftLogCompaction``), and the entries after it.
public struct RaftDurableState: Sendable, Hashable {
    public var hardState: RaftHardState
    public var snapshot: RaftSnapshot?
    /// The position just before `entries[0]`; `.zero` for a log that was never compacted.
    public var logBase: RaftLogPosition
    /// Consecutive entries starting at `logBase.index + 1`.
    public var entries: [RaftEntry]

    public init(
        hardState: RaftHardState = RaftHardState(), snapshot: RaftSnapshot? = nil, logBase: RaftLogPosition = .zero,
        entries: [RaftEntry] = []
    ) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.logBase = logBase
        self.entries = entries
    }

    /// A node that has never run and is not yet a member: it waits for a leader to add it and send it the log.
    public static let empty = RaftDurableState()

    /// The first start of a new cluster. Every founding node must be given the same members: the log then starts
    /// with the same membership entry (index 1, term 1) everywhere.
    public static func bootstrap(_ membership: RaftMembership) -> RaftDurableState {
        RaftDurableState(
            hardState: RaftHardState(term: 1),
            entries: [RaftEntry(index: 1, term: 1, kind: .membership, data: membership.encoded())]
        )
    }

    /// Folds one batch's persistence instructions into this state, as a runtime's storage would.
    public mutating func persist(_ ready: RaftReady) {
        if let snapshot = ready.snapshot { self.snapshot = snapshot }
        switch ready.compaction {
        case .compact(let through)?:
            if through.index > logBase.index {
                let drop = min(Int(through.index - logBase.index), entries.count)
                entries.removeFirst(drop)
                logBase = through
            }
        case .reset(let to)?:
            entries = []
            logBase = to
        case nil:
            break
        }
        if let first = ready.entries.first {
            if first.index <= logBase.index + UInt64(entries.count) && first.index > logBase.index {
                entries.removeSubrange(Int(first.index - logBase.index - 1)...)
            }
            entries.append(contentsOf: ready.entries)
        }
        if let hardState = ready.hardState { self.hardState = hardState }
    }
}
