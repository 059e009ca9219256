import BatonRaft
import BatonTestSupport
import Logging
import Testing

/// The runtime over the in-memory transport and storage on a `MockClock`: the API's contract without sockets, disks
/// or real time. Elections, CheckQuorum and request timeouts happen as the test moves the clock, tick by tick.
@Suite(.timeLimit(.minutes(2)))
struct RaftNodeTests {
    @Test func singleNodeLeadsAndAppliesProposals() async throws {
        let group = try MockClockRaftGroup(1)
        let leader = try await group.waitForLeader()
        #expect(leader.id == 1)
        for n in 1...5 {
            let result = try await group.run("proposal \(n)") { try await leader.propose(command(n)) }.get()
            #expect(String(decoding: result, as: UTF8.self).hasPrefix("applied "))
        }
        #expect(group.apps[1]!.commands == (1...5).map { command($0) })
        let status = leader.status
        #expect(status.role == .leader)
        #expect(status.isLeader)
        #expect(status.appliedIndex == status.commitIndex)
        #expect(status.membership.voters == [1])
        await group.shutdown()
    }

    @Test func proposalsReplicateAndResultsComeFromTheLeadersApplication() async throws {
        let group = try MockClockRaftGroup(3)
        let leader = try await group.waitForLeader()
        var lastIndex: UInt64 = 0
        for n in 1...10 {
            let result = try await group.run("proposal \(n)") { try await leader.propose(command(n)) }.get()
            lastIndex = UInt64(String(decoding: result, as: UTF8.self).split(separator: " ").last!)!
        }
        #expect(leader.status.appliedIndex >= lastIndex)  // applied locally before propose returned
        try await group.advance(until: "every node applied through \(lastIndex)") {
            group.running.allSatisfy { group.node($0).status.appliedIndex >= lastIndex }
        }
        for id in group.running {
            #expect(group.apps[id]!.commands == (1...10).map { command($0) })
        }
        await group.shutdown()
    }

    @Test func followerRefusesProposalsAndNamesTheLeader() async throws {
        let group = try MockClockRaftGroup(3)
        let leader = try await group.waitForLeader()
        let follower = group.node(group.running.first { $0 != leader.id }!)
        let error = try await #require(throws: RaftNodeError.self) {
            try await group.run("the follower answers") { try await follower.propose(command(1)) }.get()
        }
        #expect(error.code == .notLeader)
        #expect(error.leader?.id == leader.id)
        #expect(error.leader?.address == "memory:\(leader.id)")
        #expect(!follower.isLeader)
        #expect(follower.leader?.id == leader.id)
        await group.shutdown()
    }

    @Test func isolatedLeaderStopsLeadingAndItsProposalFails() async throws {
        let group = try MockClockRaftGroup(3)
        let leader = try await group.waitForLeader()
        let others = group.running.filter { $0 != leader.id }
        group.network.isolate(leader.id, from: others)
        // The entry cannot commit without a quorum: the caller learns that the outcome is unknown.
        let outcome = try await group.run("the isolated leader's proposal ends") {
            try await leader.propose(command(1), timeout: .seconds(30))
        }
        let error = try #require(throws: RaftNodeError.self) { try outcome.get() }
        #expect([.leadershipLost, .timeout].contains(error.code))
        try await group.advance(until: "the isolated leader no longer leads") { !leader.isLeader }
        let newLeader = try await group.waitForLeader(among: others)
        #expect(newLeader.id != leader.id)
        group.network.heal()
        // The old leader rejoins as a follower of the new one.
        try await group.advance(until: "the old leader follows the new one") { leader.leader?.id == newLeader.id }
        _ = try await group.run("a proposal through the new leader") { try await newLeader.propose(command(2)) }.get()
        await group.shutdown()
    }

    @Test func proposalTimesOutWhenNothingCommits() async throws {
        var options = RaftRuntimeCluster.fastOptions
        options.checkQuorum = false  // keep leading while cut off, so that only the timeout can end the wait
        let group = try MockClockRaftGroup(3, options: options)
        let leader = try await group.waitForLeader()
        group.network.isolate(leader.id, from: group.running)
        let start = group.clock.now
        let outcome = try await group.run("the proposal times out") {
            try await leader.propose(command(1), timeout: .milliseconds(300))
        }
        let error = try #require(throws: RaftNodeError.self) { try outcome.get() }
        #expect(error.code == .timeout)
        // Measured on the test clock: not before its timeout, and within a tick or two after it.
        let waited = start.duration(to: group.clock.now)
        #expect(waited >= .milliseconds(300) && waited <= .milliseconds(600))
        await group.shutdown()
    }

    @Test func cancellingTheCallerEndsTheWait() async throws {
        let group = try MockClockRaftGroup(3)
        let leader = try await group.waitForLeader()
        group.network.isolate(leader.id, from: group.running)
        let task = Task { try await leader.propose(command(1), timeout: .seconds(60)) }
        try await group.settle()
        task.cancel()
        let error = try await #require(throws: RaftNodeError.self) { try await task.value }
        #expect([.cancelled, .leadershipLost].contains(error.code))
        await group.shutdown()
    }

    @Test func oversizedCommandIsRefused() async throws {
        let group = try MockClockRaftGroup(1)
        let leader = try await group.waitForLeader()
        let error = try await #require(throws: RaftNodeError.self) {
            try await leader.propose([UInt8](repeating: 0, count: leader.configuration.maxCommandSize + 1))
        }
        #expect(error.code == .tooLarge)
        await group.shutdown()
    }

    @Test func requestsToAStoppedNodeFail() async throws {
        let group = try MockClockRaftGroup(1)
        let leader = try await group.waitForLeader()
        await group.shutdown()
        #expect(!leader.isLeader)
        #expect(!leader.status.running)
        let error = try await #require(throws: RaftNodeError.self) { try await leader.propose(command(1)) }
        #expect(error.code == .stopped)
    }

    @Test func leadershipChangesAreStreamed() async throws {
        let group = try MockClockRaftGroup(3)
        let leader = try await group.waitForLeader()
        let target = group.running.first { $0 != leader.id }!
        var changes = group.node(target).leadershipChanges().makeAsyncIterator()
        let first = try #require(await changes.next())
        #expect(first.leader?.id == leader.id)
        #expect(!first.isLeader)
        _ = try await group.run("the transfer") { try await leader.transferLeadership(to: target) }.get()
        // The new leader leads once a quorum acknowledged one of its heartbeats (the lease runs from their send).
        try await group.advance(until: "the target leads") { group.node(target).isLeader }
        while let change = await changes.next() {
            if change.isLeader {
                #expect(change.leader?.id == target)
                break
            }
        }
        #expect(group.node(target).isLeader)
        await group.shutdown()
    }

    @Test func invalidConfigurationIsRefusedAtConstruction() throws {
        var options = RaftOptions()
        options.snapshotChunkSize = 128 << 20
        let network = RaftInMemoryNetwork()
        let error = #expect(throws: RaftNodeError.self) {
            try RaftNode(
                configuration: RaftNodeConfiguration(id: 1, options: options), storage: RaftInMemoryStorage(),
                transport: network.transport(for: 1), application: RecordingApplication(), clock: MockClock(),
                logger: Logger(label: "test"))
        }
        #expect(error?.code == .invalidConfiguration)
    }
}
