/// The leader's view of one follower's log.
struct RaftProgress: Sendable {
    enum State: Sendable, Equatable {
        case probe
        case replicate
        /// Streaming the snapshot at `index`; `offset` is the next byte to send.
        case snapshot(index: UInt64, offset: UInt64)
    }

    let id: RaftNodeID
    var match: UInt64 = 0
    var next: UInt64
    var state: State = .probe
    /// In probe state: an AppendEntries is out and unanswered.
    var probeSent = false
    /// In replicate state: the last index of each AppendEntries in flight.
    var inflight: [UInt64] = []
    var recentActive: Bool
    var isLearner: Bool
    /// In snapshot state: the follower acknowledged a chunk since the last heartbeat (no need to resend).
    var snapshotAdvanced = false
    /// In snapshot state: the snapshot being streamed and its checksum. It is kept even when the leader takes a
    /// newer one, so that a slow transfer is never restarted by snapshots taken meanwhile.
    var sendingSnapshot: RaftSnapshot?
    var sendingChecksum: UInt32 = 0

    init(id: RaftNodeID, next: UInt64, isLearner: Bool, recentActive: Bool) {
        self.id = id
        self.next = next
        self.isLearner = isLearner
        self.recentActive = recentActive
    }

    func isPaused(maxInflight: Int) -> Bool {
        switch state {
        case .probe: probeSent
        case .replicate: inflight.count >= maxInflight
        case .snapshot: true
        }
    }

    mutating func becomeProbe() {
        state = .probe
        sendingSnapshot = nil
        probeSent = false
        inflight = []
        next = match + 1
    }

    mutating func becomeReplicate() {
        state = .replicate
        sendingSnapshot = nil
        probeSent = false
        inflight = []
        next = match + 1
    }

    var status: RaftPeerStatus {
        let state: RaftPeerStatus.State =
            switch self.state {
            case .probe: .probe
            case .replicate: .replicate
            case .snapshot: .snapshot
            }
        return RaftPeerStatus(
            id: id, matchIndex: match, nextIndex: next, state: state, recentlyActive: recentActive,
            isLearner: isLearner)
    }
}
