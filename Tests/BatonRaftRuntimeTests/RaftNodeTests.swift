import BatonRaft
import BatonTestSupport
import Logging
import Testing

/// The runtime over the in-memory transport and storage: the API's contract without sockets or disks.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RaftNodeTests {
    @Test func singleNodeLeadsAndAppliesProposals() async throws {
        try await withRaftCluster(1, backend: .inMemory) { cluster in
            let leader = try await cluster.waitForLeader()
            #expect(leader.id == 1)
            for n in 1...5 {
                let result = try await leader.propose(command(n))
                #expect(String(decoding: result, as: UTF8.self).hasPrefix("applied "))
            }
            #expect(cluster.app(1).commands == (1...5).map { command($0) })
            let status = leader.status
            #expect(status.role == .leader)
            #expect(status.isLeader)
            #expect(status.appliedIndex == status.commitIndex)
            #expect(status.membership.voters == [1])
        }
    }

    @Test func proposalsReplicateAndResultsComeFromTheLeadersApplication() async throws {
        try await withRaftCluster(3, backend: .inMemory) { cluster in
            let leader = try await cluster.waitForLeader()
            var lastIndex: UInt64 = 0
            for n in 1...10 {
                let result = String(decoding: try await leader.propose(command(n)), as: UTF8.self)
                lastIndex = UInt64(result.split(separator: " ").last!)!
            }
            #expect(leader.status.appliedIndex >= lastIndex)  // applied locally before propose returned
            try await cluster.waitForApplied([1, 2, 3], through: lastIndex)
            for id in [RaftNodeID(1), 2, 3] {
                #expect(cluster.app(id).commands == (1...10).map { command($0) })
            }
        }
    }

    @Test func followerRefusesProposalsAndNamesTheLeader() async throws {
        try await withRaftCluster(3, backend: .inMemory) { cluster in
            let leader = try await cluster.waitForLeader()
            let follower = cluster.node([RaftNodeID(1), 2, 3].first { $0 != leader.id }!)
            let error = try await #require(throws: RaftNodeError.self) { try await follower.propose(command(1)) }
            #expect(error.code == .notLeader)
            #expect(error.leader?.id == leader.id)
            #expect(error.leader?.address == cluster.members[leader.id]!.address)
            #expect(!follower.isLeader)
            #expect(follower.leader?.id == leader.id)
        }
    }

    @Test func isolatedLeaderStopsLeadingAndItsProposalFails() async throws {
        try await withRaftCluster(3, backend: .inMemory) { cluster in
            let leader = try await cluster.waitForLeader()
            let others = cluster.running.filter { $0 != leader.id }
            cluster.network.isolate(leader.id, from: others)
            // The entry cannot commit without a quorum: the caller learns that the outcome is unknown.
            let error = try await #require(throws: RaftNodeError.self) {
                try await leader.propose(command(1), timeout: .seconds(30))
            }
            #expect([.leadershipLost, .timeout].contains(error.code))
            try await requireEventually("the isolated leader no longer leads") { !leader.isLeader }
            let newLeader = try await cluster.waitForLeader(among: others)
            #expect(newLeader.id != leader.id)
            cluster.network.heal()
            // The old leader rejoins as a follower of the new one.
            try await requireEventually("the old leader follows the new one") { leader.leader?.id == newLeader.id }
            _ = try await newLeader.propose(command(2))
        }
    }

    @Test func proposalTimesOutWhenNothingCommits() async throws {
        var options = RaftRuntimeCluster.fastOptions
        options.checkQuorum = false  // keep leading while cut off, so that only the timeout can end the wait
        try await withRaftCluster(3, backend: .inMemory, options: options) { cluster in
            let leader = try await cluster.waitForLeader()
            cluster.network.isolate(leader.id, from: cluster.running)
            let error = try await #require(throws: RaftNodeError.self) {
                try await leader.propose(command(1), timeout: .milliseconds(300))
            }
            #expect(error.code == .timeout)
        }
    }

    @Test func cancellingTheCallerEndsTheWait() async throws {
        try await withRaftCluster(3, backend: .inMemory) { cluster in
            let leader = try await cluster.waitForLeader()
            cluster.network.isolate(leader.id, from: cluster.running)
            let task = Task { try await leader.propose(command(1), timeout: .seconds(60)) }
            try await Task.sleep(for: .milliseconds(50))
            task.cancel()
            let error = try await #require(throws: RaftNodeError.self) { try await task.value }
            #expect([.cancelled, .leadershipLost].contains(error.code))
        }
    }

    @Test func oversizedCommandIsRefused() async throws {
        try await withRaftCluster(1, backend: .inMemory) { cluster in
            let leader = try await cluster.waitForLeader()
            let error = try await #require(throws: RaftNodeError.self) {
                try await leader.propose([UInt8](repeating: 0, count: leader.configuration.maxCommandSize + 1))
            }
            #expect(error.code == .tooLarge)
        }
    }

    @Test func requestsToAStoppedNodeFail() async throws {
        let cluster = try await RaftRuntimeCluster.start(1, backend: .inMemory)
        let leader = try await cluster.waitForLeader()
        await cluster.shutdown()
        #expect(!leader.isLeader)
        #expect(!leader.status.running)
        let error = try await #require(throws: RaftNodeError.self) { try await leader.propose(command(1)) }
        #expect(error.code == .stopped)
    }

    @Test func leadershipChangesAreStreamed() async throws {
        try await withRaftCluster(3, backend: .inMemory) { cluster in
            let leader = try await cluster.waitForLeader()
            let target = cluster.running.first { $0 != leader.id }!
            var changes = cluster.node(target).leadershipChanges().makeAsyncIterator()
            let first = try #require(await changes.next())
            #expect(first.leader?.id == leader.id)
            #expect(!first.isLeader)
            try await leader.transferLeadership(to: target)
            while let change = await changes.next() {
                if change.isLeader {
                    #expect(change.leader?.id == target)
                    break
                }
            }
            #expect(cluster.node(target).isLeader)
        }
    }

    @Test func invalidConfigurationIsRefusedAtConstruction() throws {
        var options = RaftOptions()
        options.snapshotChunkSize = 128 << 20
        let network = RaftInMemoryNetwork()
        let error = #expect(throws: RaftNodeError.self) {
            try RaftNode(
                configuration: RaftNodeConfiguration(id: 1, options: options), storage: RaftInMemoryStorage(),
                transport: network.transport(for: 1), application: RecordingApplication(),
                logger: Logger(label: "test"))
        }
        #expect(error?.code == .invalidConfiguration)
    }
}
