import BatonRaft
import Testing

@Suite struct RaftPreVoteCheckQuorumTests {
    @Test func preVoteKeepsAPartitionedNodeFromDisruptingOnRejoin() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        let term = cluster[1].currentTerm
        cluster.isolate(3)
        cluster.tickAll(100)
        #expect(cluster[3].currentTerm == term)  // pre-votes failed; no term inflation
        cluster.heal()
        cluster.tickAll(5)
        #expect(cluster.leaders == [1])
        #expect(cluster[1].currentTerm == term)
        #expect(cluster[3].currentLeader == 1)
    }

    @Test func withoutPreVoteARejoiningNodeDisruptsTheLeader() throws {
        var options = RaftStateMachineCluster.defaultOptions
        options.preVote = false
        options.checkQuorum = false
        let cluster = RaftStateMachineCluster([1, 2, 3], options: options)
        cluster.campaign(1)
        let term = cluster[1].currentTerm
        cluster.isolate(3)
        cluster.tickAll(100)
        #expect(cluster[3].currentTerm > term + 2)
        cluster.heal()
        cluster.tickAll(30)
        #expect(cluster[1].currentTerm > term)  // the old leader was deposed by the inflated term
    }

    @Test func behindNodeCannotWinPreVotes() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        cluster.isolate(3)
        try cluster.propose(1, "a")
        cluster.heal()
        // 1 is partitioned away; 3 lacks "a" and cannot win, 2 can.
        cluster.isolate(1)
        for _ in 0..<25 { cluster.tick(3) }
        cluster.stabilize()
        #expect(cluster[3].currentRole != .leader)
        cluster.campaign(2)
        #expect(cluster[2].currentRole == .leader)
    }

    @Test func isolatedLeaderStepsDownWithinAnElectionTimeout() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        cluster.isolate(1)
        for _ in 0..<(2 * RaftStateMachineCluster.defaultOptions.electionTicks) { cluster.tick(1) }
        #expect(cluster[1].currentRole == .follower)
        #expect(throws: RaftError.self) { try cluster.propose(1, "x") }
    }

    @Test func followersInTheLeaseIgnoreVoteRequests() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        let term = cluster[2].currentTerm
        let request = RaftMessage(
            from: 3, to: 2, term: term + 1,
            payload: .voteRequest(.init(lastLog: cluster[3].lastLogPosition, preVote: false, transfer: false)))
        cluster[2].step(request)
        #expect(cluster[2].currentTerm == term)
        let ignored = cluster[2].takeReady()
        #expect(ignored == nil)
        // A campaign that follows a leadership transfer is answered despite the lease.
        var transfer = request
        transfer.payload = .voteRequest(.init(lastLog: cluster[3].lastLogPosition, preVote: false, transfer: true))
        cluster[2].step(transfer)
        #expect(cluster[2].currentTerm == term + 1)
        let answered = cluster[2].takeReady()
        let ready = try #require(answered)
        #expect(ready.messages.contains { if case .voteResponse(let r) = $0.payload { r.granted } else { false } })
    }

    @Test func staleLeaderLearnsTheNewTermFromAFollower() throws {
        // A leader cut off without CheckQuorum keeps believing; the first follower it reaches answers with the newer
        // term, and it steps down.
        var options = RaftStateMachineCluster.defaultOptions
        options.checkQuorum = false
        let cluster = RaftStateMachineCluster([1, 2, 3], options: options)
        cluster.campaign(1)
        cluster.isolate(1)
        cluster.campaign(2)
        #expect(cluster[2].currentRole == .leader)
        #expect(cluster[1].currentRole == .leader)
        cluster.heal()
        cluster.tick(1, options.heartbeatTicks)
        cluster.stabilize()
        #expect(cluster.leaders == [2])
    }
}
