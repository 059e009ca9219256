import BatonRaft
import Testing

@Suite struct RaftSnapshotTests {
    static var snapshottingOptions: RaftOptions {
        var options = RaftStateMachineCluster.defaultOptions
        options.snapshotThreshold = 5
        options.trailingEntries = 0
        options.snapshotChunkSize = 4
        return options
    }

    /// A three-node cluster where node 3 missed 20 commands that the leader has compacted away.
    func clusterWithCompactedLeader() throws -> RaftStateMachineCluster {
        let cluster = RaftStateMachineCluster([1, 2, 3], options: Self.snapshottingOptions)
        cluster.answerSnapshotRequests = true
        cluster.campaign(1)
        cluster.isolate(3)
        for i in 0..<20 { try cluster.propose(1, "c\(i)") }
        #expect(cluster[1].logBase.index > 5)
        #expect(cluster[1].status.snapshotIndex > 5)
        cluster.heal()
        return cluster
    }

    @Test func followerBehindTheCompactionReceivesTheSnapshotInChunks() throws {
        let cluster = try clusterWithCompactedLeader()
        cluster.tickAll(5)
        let chunks = cluster.delivered.filter { m in
            if case .installSnapshot = m.payload { m.to == 3 } else { false }
        }
        #expect(chunks.count > 3)
        #expect(cluster.restored[3] != nil)
        #expect(cluster.appliedStrings(3) == cluster.appliedStrings(1))
        #expect(cluster.appliedStrings(3).count == 20)
        #expect(cluster.durable[3]!.snapshot != nil)
    }

    @Test func damagedChunkIsRefusedAndResent() throws {
        let cluster = try clusterWithCompactedLeader()
        var damaged = false
        cluster.transform = { message in
            guard !damaged, case .installSnapshot(var chunk) = message.payload, chunk.offset == 4 else { return message }
            damaged = true
            chunk.chunk[0] ^= 0xFF  // the chunk's own checksum no longer matches
            var copy = message
            copy.payload = .installSnapshot(chunk)
            return copy
        }
        cluster.tickAll(8)
        #expect(damaged)
        let refusals = cluster.delivered.filter { m in
            if case .installSnapshotResponse(let r) = m.payload { m.from == 3 && !r.done && r.nextOffset == 4 } else { false }
        }
        #expect(refusals.count >= 1)
        #expect(cluster.appliedStrings(3) == cluster.appliedStrings(1))
    }

    @Test func snapshotWhoseWholeChecksumFailsIsDiscardedAndStartedOver() throws {
        let cluster = try clusterWithCompactedLeader()
        var damaged = false
        cluster.transform = { message in
            guard !damaged, case .installSnapshot(var chunk) = message.payload, chunk.offset == 4 else { return message }
            damaged = true
            chunk.chunk[0] ^= 0xFF
            chunk.chunkChecksum = CRC32C.checksum(chunk.chunk)  // damaged before it was cut into chunks
            var copy = message
            copy.payload = .installSnapshot(chunk)
            return copy
        }
        cluster.tickAll(12)
        let restarts = cluster.delivered.filter { m in
            if case .installSnapshotResponse(let r) = m.payload { m.from == 3 && !r.done && r.nextOffset == 0 } else { false }
        }
        #expect(restarts.count >= 1)
        #expect(cluster.appliedStrings(3) == cluster.appliedStrings(1))
    }

    @Test func restartFromSnapshotAndLogSuffix() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3], options: Self.snapshottingOptions)
        cluster.answerSnapshotRequests = true
        cluster.campaign(1)
        for i in 0..<12 { try cluster.propose(1, "c\(i)") }
        let durable = try #require(cluster.durable[2])
        #expect(durable.snapshot != nil)
        #expect(durable.logBase.index > 0)
        cluster.restart(2, options: Self.snapshottingOptions)
        cluster.collect()
        #expect(cluster.appliedStrings(2) == cluster.appliedStrings(1))
        try cluster.propose(1, "more")
        cluster.tickAll()
        #expect(cluster.appliedStrings(2).last == "more")
    }

    @Test func snapshotsMustCoverNewAppliedEntries() throws {
        let cluster = RaftStateMachineCluster([1])
        cluster.campaign(1)
        try cluster.propose(1, "a")
        #expect {
            try cluster[1].snapshotTaken(index: 99, data: [])
        } throws: { ($0 as? RaftError)?.code == .invalidSnapshot }
        try cluster[1].snapshotTaken(index: cluster[1].commitIndex, data: [1])
        #expect {
            try cluster[1].snapshotTaken(index: cluster[1].commitIndex, data: [1])
        } throws: { ($0 as? RaftError)?.code == .invalidSnapshot }
    }
}
