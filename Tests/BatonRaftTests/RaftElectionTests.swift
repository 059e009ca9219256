import BatonRaft
import Testing

@Suite struct RaftElectionTests {
    @Test func threeNodesElectOneLeaderAndReplicate() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        #expect(cluster.leaders == [1])
        #expect(cluster[2].currentLeader == 1)
        try cluster.propose(1, "a")
        try cluster.propose(1, "b")
        cluster.tickAll()
        for id: RaftNodeID in [1, 2, 3] { #expect(cluster.appliedStrings(id) == ["a", "b"]) }
    }

    @Test func singleNodeElectsItselfAndCommitsAlone() throws {
        let cluster = RaftStateMachineCluster([1])
        cluster.campaign(1)
        #expect(cluster.leaders == [1])
        try cluster.propose(1, "x")
        #expect(cluster.appliedStrings(1) == ["x"])
    }

    @Test func electionTimeoutIsRandomizedBetweenOneAndTwoTimeouts() throws {
        var seen: Set<Int> = []
        for seed in UInt64(0)..<60 {
            var options = RaftStateMachineCluster.defaultOptions
            options.randomSeed = seed
            var node = try RaftStateMachine(
                id: 1, options: options, durable: .bootstrap(RaftMembership([RaftMember(id: 1), RaftMember(id: 2)])))
            var ticks = 0
            while node.currentRole == .follower {
                node.tick()
                ticks += 1
            }
            #expect(ticks >= options.electionTicks && ticks < 2 * options.electionTicks)
            seen.insert(ticks)
        }
        #expect(seen.count > 3)
    }

    @Test func noLeaderWithoutAQuorum() {
        let cluster = RaftStateMachineCluster([1, 2, 3, 4, 5])
        cluster.drop = { ![1, 2].contains($0.to) || ![1, 2].contains($0.from) }
        cluster.tickAll(60)
        #expect(cluster.leaders.isEmpty)
    }

    @Test func candidateWithAStaleLogLoses() {
        // Node 1 misses entries 2...3; it cannot win against voters that hold them (election restriction).
        let cluster = RaftStateMachineCluster([1, 2, 3], options: {
            var options = RaftStateMachineCluster.defaultOptions
            options.preVote = false
            return options
        }())
        cluster.add(1, durable: durableLog(terms: [1], term: 2, voters: [1, 2, 3]))
        cluster.add(2, durable: durableLog(terms: [1, 2, 2], term: 2, voters: [1, 2, 3]))
        cluster.add(3, durable: durableLog(terms: [1, 2, 2], term: 2, voters: [1, 2, 3]))
        cluster.campaign(1)
        #expect(cluster.leaders.isEmpty)
        #expect(cluster[1].currentRole != .leader)
    }

    @Test func theVoteIsInTheSameBatchAsTheGrant() throws {
        // The persist-before-send contract: a granted vote leaves only with the hard state that records it.
        var voter = try RaftStateMachine(
            id: 2, options: RaftStateMachineCluster.defaultOptions,
            durable: .bootstrap(RaftMembership([RaftMember(id: 1), RaftMember(id: 2), RaftMember(id: 3)])))
        _ = voter.takeReady()
        voter.step(
            RaftMessage(
                from: 1, to: 2, term: 2,
                payload: .voteRequest(.init(lastLog: RaftLogPosition(index: 1, term: 1), preVote: false, transfer: false))))
        let taken = voter.takeReady()
        let ready = try #require(taken)
        #expect(ready.hardState?.vote == 1 && ready.hardState?.term == 2)
        #expect(ready.messages.count == 1)
        #expect(ready.needsPersisting)
    }

    @Test func restartKeepsTermVoteAndLog() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        try cluster.propose(1, "a")
        cluster.tickAll()
        let before = cluster[2].status
        cluster.restart(2)
        #expect(cluster[2].currentTerm == before.term)
        #expect(cluster[2].status.vote == before.vote)
        #expect(cluster[2].lastLogPosition == before.lastLog)
        // A restarted node re-applies committed entries from its durable commit index.
        cluster.collect()
        #expect(cluster.appliedStrings(2) == ["a"])
    }
}
