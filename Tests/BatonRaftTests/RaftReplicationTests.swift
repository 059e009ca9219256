import BatonRaft
import Testing

@Suite struct RaftReplicationTests {
    @Test func followersRefuseProposalsAndNameTheLeader() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        #expect {
            try cluster[2].propose([1])
        } throws: { error in
            (error as? RaftError)?.code == .notLeader && (error as? RaftError)?.leader == 1
        }
    }

    @Test func proposalPositionIdentifiesTheCommittedEntry() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        let position = try cluster[1].propose(Array("a".utf8))
        cluster.stabilize()
        #expect(cluster[2].entry(at: position.index)?.term == position.term)
        #expect(cluster[1].commitIndex >= position.index)
    }

    @Test func laggingFollowerIsRepairedAndLearnsTheCommitFromHeartbeats() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        cluster.isolate(3)
        for i in 0..<20 { try cluster.propose(1, "e\(i)") }
        #expect(cluster.appliedStrings(3).isEmpty)
        cluster.heal()
        cluster.tickAll(3)
        #expect(cluster.appliedStrings(3) == cluster.appliedStrings(1))
        #expect(cluster.appliedStrings(1).count == 20)
    }

    @Test func duplicatedAndReorderedMessagesAreHarmless() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        for i in 0..<5 { try cluster[1].propose(Array("p\(i)".utf8)) }
        cluster.collect()
        // Deliver everything twice, in reverse order.
        let pending = cluster.queue
        cluster.queue = (pending + pending).reversed()
        cluster.stabilize()
        cluster.tickAll(3)
        for id: RaftNodeID in [1, 2, 3] { #expect(cluster.appliedStrings(id) == ["p0", "p1", "p2", "p3", "p4"]) }
    }

    @Test func leaderCommitsOnlyWithAQuorum() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3, 4, 5])
        cluster.campaign(1)
        let committed = cluster[1].commitIndex
        cluster.drop = { ![1, 2].contains($0.to) }
        try cluster.propose(1, "x")
        #expect(cluster[1].commitIndex == committed)
        cluster.heal()
        cluster.tickAll()
        #expect(cluster[1].commitIndex == committed + 1)
    }

    @Test func messagesOfSmallLimitsStillReplicateEverything() throws {
        var options = RaftStateMachineCluster.defaultOptions
        options.maxEntriesPerMessage = 1
        options.maxInflightMessages = 1
        let cluster = RaftStateMachineCluster([1, 2, 3], options: options)
        cluster.campaign(1)
        cluster.isolate(2)
        for i in 0..<10 { try cluster.propose(1, "\(i)") }
        cluster.heal()
        cluster.tickAll(12)
        #expect(cluster.appliedStrings(2) == (0..<10).map(String.init))
    }
}
