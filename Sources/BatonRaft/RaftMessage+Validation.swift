extension RaftMessage {
    /// Numbers beyond this are never produced by a correct node; a message carrying them is ignored, so that no
    /// arithmetic on terms and indexes can overflow.
    static let plausibleLimit: UInt64 = 1 << 62

    /// Whether every term, index and offset in the message is below ``plausibleLimit``.
    var isPlausible: Bool {
        let limit = Self.plausibleLimit
        guard term < limit else { return false }
        switch payload {
        case .voteRequest(let r):
            return r.lastLog.index < limit && r.lastLog.term < limit
        case .voteResponse, .heartbeatResponse, .timeoutNow:
            return true
        case .appendEntries(let a):
            return a.previous.index < limit && a.previous.term < limit && a.commit < limit
                && UInt64(a.entries.count) < limit - a.previous.index
        case .appendResponse(let r):
            return r.index < limit && r.hint.index < limit && r.hint.term < limit
        case .heartbeat(let h):
            return h.commit < limit
        case .installSnapshot(let s):
            return s.metadata.index < limit && s.metadata.term < limit && s.totalSize < limit && s.offset < limit
        case .installSnapshotResponse(let r):
            return r.snapshotIndex < limit && r.nextOffset < limit && r.index < limit
        }
    }
}
