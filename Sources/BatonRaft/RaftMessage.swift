/// A message between two Raft nodes. ``RaftMessage/encoded()`` and ``RaftMessage/init(decoding:)`` give its wire
/// form.
public struct RaftMessage: Hashable, Sendable {
    public var from: RaftNodeID
    public var to: RaftNodeID
    /// The sender's term; for a pre-vote request the term the sender would campaign in, and for a granted pre-vote
    /// the term of the request it answers.
    public var term: UInt64
    public var payload: Payload

    public init(from: RaftNodeID, to: RaftNodeID, term: UInt64, payload: Payload) {
        self.from = from
        self.to = to
        self.term = term
        self.payload = payload
    }

    /// What a message says.
    public enum Payload: Hashable, Sendable {
        case voteRequest(VoteRequest)
        case voteResponse(VoteResponse)
        case appendEntries(AppendEntries)
        case appendResponse(AppendResponse)
        case heartbeat(Heartbeat)
        case heartbeatResponse(HeartbeatResponse)
        case installSnapshot(InstallSnapshot)
        case installSnapshotResponse(InstallSnapshotResponse)
        /// From the leader to its transfer target: campaign now, without pre-vote.
        case timeoutNow
    }

    /// A request for a vote or pre-vote.
    public struct VoteRequest: Hashable, Sendable {
        /// The last position of the candidate's log (the election restriction compares it with the voter's).
        public var lastLog: RaftLogPosition
        public var preVote: Bool
        /// Set when the campaign follows a leadership transfer: voters answer even while they hear from a leader.
        public var transfer: Bool

        public init(lastLog: RaftLogPosition, preVote: Bool, transfer: Bool) {
            self.lastLog = lastLog
            self.preVote = preVote
            self.transfer = transfer
        }
    }

    public struct VoteResponse: Hashable, Sendable {
        public var granted: Bool
        public var preVote: Bool

        public init(granted: Bool, preVote: Bool) {
            self.granted = granted
            self.preVote = preVote
        }
    }

    /// Entries that follow `previous` in the leader's log, and the leader's commit index.
    public struct AppendEntries: Hashable, Sendable {
        public var previous: RaftLogPosition
        public var entries: [RaftEntry]
        public var commit: UInt64

        public init(previous: RaftLogPosition, entries: [RaftEntry], commit: UInt64) {
            self.previous = previous
            self.entries = entries
            self.commit = commit
        }
    }

    /// The answer to ``AppendEntries``.
    ///
    /// On success `index` is the last index now known to match the leader's log. On rejection `index` is the
    /// rejected `previous.index`, and `hint` is the follower's last position that may still agree with the leader
    /// (fast back-off: the leader skips whole terms instead of probing one index at a time).
    public struct AppendResponse: Hashable, Sendable {
        public var success: Bool
        public var index: UInt64
        public var hint: RaftLogPosition

        public init(success: Bool, index: UInt64, hint: RaftLogPosition = .zero) {
            self.success = success
            self.index = index
            self.hint = hint
        }
    }

    /// The leader's keep-alive; `commit` is never beyond what the follower is known to hold. `context` is opaque to
    /// the state machine and echoed in the response: the runtime stamps each heartbeat it sends and so learns *when*
    /// an acknowledged heartbeat was sent — its leadership lease runs from then, not from when the answer arrived.
    public struct Heartbeat: Hashable, Sendable {
        public var commit: UInt64
        public var context: UInt64

        public init(commit: UInt64, context: UInt64 = 0) {
            self.commit = commit
            self.context = context
        }
    }

    /// A follower's answer to a heartbeat (or a stale leader's message), echoing the heartbeat's `context`.
    public struct HeartbeatResponse: Hashable, Sendable {
        public var context: UInt64

        public init(context: UInt64 = 0) { self.context = context }
    }

    /// One chunk of the leader's snapshot.
    ///
    /// Chunks are sent one at a time; the follower assembles them in order and installs the snapshot only once the
    /// CRC-32C of the whole (`checksum`) matches. Each chunk also carries its own checksum so that a damaged chunk
    /// is refused (and resent) at once.
    public struct InstallSnapshot: Hashable, Sendable {
        public var metadata: RaftSnapshotMetadata
        public var totalSize: UInt64
        public var checksum: UInt32
        public var offset: UInt64
        public var chunk: [UInt8]
        public var chunkChecksum: UInt32

        public init(
            metadata: RaftSnapshotMetadata, totalSize: UInt64, checksum: UInt32, offset: UInt64, chunk: [UInt8],
            chunkChecksum: UInt32
        ) {
            self.metadata = metadata
            self.totalSize = totalSize
            self.checksum = checksum
            self.offset = offset
            self.chunk = chunk
            self.chunkChecksum = chunkChecksum
        }
    }

    /// The answer to a snapshot chunk.
    ///
    /// While the transfer goes on, `nextOffset` is the byte the follower wants next (0 after a damaged snapshot:
    /// start again). Once `done`, the follower holds the snapshot and `index` is the last index known to match the
    /// leader's log.
    public struct InstallSnapshotResponse: Hashable, Sendable {
        public var snapshotIndex: UInt64
        public var nextOffset: UInt64
        public var done: Bool
        public var index: UInt64

        public init(snapshotIndex: UInt64, nextOffset: UInt64, done: Bool, index: UInt64) {
            self.snapshotIndex = snapshotIndex
            self.nextOffset = nextOffset
            self.done = done
            self.index = index
        }
    }
}
