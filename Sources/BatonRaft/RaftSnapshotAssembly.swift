/// A snapshot arriving in chunks on a follower.
struct RaftSnapshotAssembly: Sendable {
    let metadata: RaftSnapshotMetadata
    let totalSize: UInt64
    let checksum: UInt32
    var data: [UInt8] = []

    init(_ chunk: RaftMessage.InstallSnapshot) {
        self.metadata = chunk.metadata
        self.totalSize = chunk.totalSize
        self.checksum = chunk.checksum
    }

    var received: UInt64 { UInt64(data.count) }

    /// Whether `chunk` belongs to this snapshot.
    func isPart(of chunk: RaftMessage.InstallSnapshot) -> Bool {
        chunk.metadata == metadata && chunk.totalSize == totalSize && chunk.checksum == checksum
    }
}
