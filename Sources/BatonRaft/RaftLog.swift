/// The in-memory log of one node: everything after its base (the last compacted position), plus the indexes that
/// say what has been committed, handed out for applying, and handed out for persisting.
///
/// Invariants: `entries[i].index == base.index + 1 + i`; `base.index <= applied <= committed <= lastIndex`.
struct RaftLog: Sendable {
    /// The position just before `entries[0]`: compacted away (covered by a snapshot) or the start of the log.
    private(set) var base: RaftLogPosition
    private(set) var entries: [RaftEntry]
    /// The highest index known to be committed.
    var committed: UInt64
    /// The highest index handed to the application in `RaftReady.committedEntries` (or covered by a snapshot).
    var applied: UInt64
    /// The first index not yet handed out in `RaftReady.entries` for persisting.
    private(set) var unstable: UInt64

    init(base: RaftLogPosition, entries: [RaftEntry], committed: UInt64, applied: UInt64) {
        self.base = base
        self.entries = entries
        self.committed = committed
        self.applied = applied
        self.unstable = base.index + UInt64(entries.count) + 1
    }

    var firstIndex: UInt64 { base.index + 1 }
    var lastIndex: UInt64 { base.index + UInt64(entries.count) }
    var lastTerm: UInt64 { entries.last?.term ?? base.term }
    var lastPosition: RaftLogPosition { RaftLogPosition(index: lastIndex, term: lastTerm) }

    /// The term of the entry at `index`, or nil when it is compacted away or beyond the end.
    func term(at index: UInt64) -> UInt64? {
        if index == base.index { return base.term }
        guard index > base.index, index <= lastIndex else { return nil }
        return entries[Int(index - base.index - 1)].term
    }

    func entry(at index: UInt64) -> RaftEntry? {
        guard index > base.index, index <= lastIndex else { return nil }
        return entries[Int(index - base.index - 1)]
    }

    func matches(_ position: RaftLogPosition) -> Bool { term(at: position.index) == position.term }

    /// Entries from `from` through `through`, at most `maxCount` of them and about `maxBytes` of data (always at
    /// least one). Nil when `from` is compacted away.
    func entries(from: UInt64, through: UInt64, maxCount: Int = .max, maxBytes: Int = .max) -> [RaftEntry]? {
        guard from > base.index else { return nil }
        guard from <= through, from <= lastIndex else { return [] }
        let start = Int(from - base.index - 1)
        let end = Int(min(through, lastIndex) - base.index)
        var result: [RaftEntry] = []
        var bytes = 0
        for i in start..<end {
            let entry = entries[i]
            if !result.isEmpty && (result.count >= maxCount || bytes + entry.data.count > maxBytes) { break }
            bytes += entry.data.count
            result.append(entry)
        }
        return result
    }

    /// The largest index ≤ `index` whose term is ≤ `term`, with that term: where the logs of a leader and a follower
    /// may still agree (the fast back-off of etcd's raft). Term 0 when the answer lies in the compacted prefix.
    func conflictHint(index: UInt64, term: UInt64) -> RaftLogPosition {
        var i = min(index, lastIndex)
        while i > base.index {
            let t = entries[Int(i - base.index - 1)].term
            if t <= term { return RaftLogPosition(index: i, term: t) }
            i -= 1
        }
        if i == base.index && base.term <= term { return base }
        return RaftLogPosition(index: i, term: 0)
    }

    /// Appends entries that follow `previous` (which must match), replacing a conflicting suffix.
    ///
    /// - Returns: the index of the first replaced entry, if a suffix was truncated.
    mutating func append(_ new: [RaftEntry]) -> UInt64? {
        guard let first = new.first else { return nil }
        var truncatedAt: UInt64?
        var start = 0
        // Skip entries that are already there; find the first conflict.
        while start < new.count {
            let entry = new[start]
            if entry.index <= base.index {  // compacted: committed, so identical
                start += 1
                continue
            }
            guard let existing = term(at: entry.index) else { break }
            if existing != entry.term {
                truncatedAt = entry.index
                break
            }
            start += 1
        }
        guard start < new.count else { return nil }
        let from = new[start].index
        precondition(from <= lastIndex + 1 && from > base.index, "append leaves a gap at \(first.index)")
        if from <= lastIndex {
            entries.removeSubrange(Int(from - base.index - 1)...)
            if truncatedAt == nil { truncatedAt = from }
        }
        entries.append(contentsOf: new[start...])
        unstable = min(unstable, from)
        return truncatedAt
    }

    /// Drops entries through `position.index` (they are covered by a snapshot).
    mutating func compact(through position: RaftLogPosition) {
        guard position.index > base.index, position.index <= lastIndex else { return }
        entries.removeSubrange(..<Int(position.index - base.index))
        base = position
        unstable = max(unstable, base.index + 1)
    }

    /// Replaces the whole log with the empty log after `position` (a snapshot from the leader replaced it).
    mutating func reset(to position: RaftLogPosition) {
        base = position
        entries = []
        committed = position.index
        applied = position.index
        unstable = position.index + 1
    }

    /// Hands out the entries not yet persisted.
    mutating func takeUnstable() -> [RaftEntry] {
        guard unstable <= lastIndex else { return [] }
        let result = Array(entries[Int(unstable - base.index - 1)...])
        unstable = lastIndex + 1
        return result
    }

    var hasUnstable: Bool { unstable <= lastIndex }

    /// Hands out the committed entries not yet applied.
    mutating func takeCommitted() -> [RaftEntry] {
        guard committed > applied else { return [] }
        let result = Array(entries[Int(applied - base.index)..<Int(committed - base.index)])
        applied = committed
        return result
    }
}
