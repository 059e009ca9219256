/// What a snapshot covers: the log up to and including `index` (whose entry had `term`), and the configuration
/// in force at that index.
public struct RaftSnapshotMetadata: Hashable, Sendable {
    public var index: UInt64
    public var term: UInt64
    public var membership: RaftMembership

    public init(index: UInt64, term: UInt64, membership: RaftMembership) {
        self.index = index
        self.term = term
        self.membership = membership
    }

    public var position: RaftLogPosition { RaftLogPosition(index: index, term: term) }
}

/// A snapshot: the application's serialized state after applying every entry up to `metadata.index`.
///
/// The bytes are opaque to Raft. The state machine keeps the latest snapshot in memory so that it can stream it
/// to followers in chunks; Baton's replicated state is small enough for that.
public struct RaftSnapshot: Hashable, Sendable {
    public var metadata: RaftSnapshotMetadata
    public var data: [UInt8]

    public init(metadata: RaftSnapshotMetadata, data: [UInt8]) {
        self.metadata = metadata
        self.data = data
    }

    /// CRC-32C of `data`, sent with every chunk of an InstallSnapshot so that the receiver can verify the whole.
    public var checksum: UInt32 { CRC32C.checksum(data) }
}
