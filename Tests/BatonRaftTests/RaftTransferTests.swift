import BatonRaft
import Testing

@Suite struct RaftTransferTests {
    @Test func transferToAnUpToDateFollower() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        let term = cluster[1].currentTerm
        try cluster[1].transferLeadership(to: 2)
        cluster.stabilize()
        #expect(cluster.leaders == [2])
        #expect(cluster[2].currentTerm == term + 1)
        #expect(cluster[3].currentLeader == 2)
        #expect(cluster.delivered.contains { $0.payload == .timeoutNow && $0.to == 2 })
    }

    @Test func transferToALaggingFollowerCatchesItUpFirst() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        cluster.isolate(3)
        for i in 0..<5 { try cluster.propose(1, "\(i)") }
        cluster.heal()
        try cluster[1].transferLeadership(to: 3)
        cluster.stabilize()
        #expect(cluster.leaders == [3])
        cluster.tickAll()
        #expect(cluster.appliedStrings(3) == ["0", "1", "2", "3", "4"])
    }

    @Test func proposalsAreRefusedDuringATransferThatIsAbandonedAfterAnElectionTimeout() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        cluster.isolate(2)
        try cluster[1].transferLeadership(to: 2)
        #expect(cluster[1].status.transferTarget == 2)
        #expect {
            try cluster[1].propose([1])
        } throws: { ($0 as? RaftError)?.code == .transferInProgress }
        cluster.heal()
        cluster.drop = { $0.to == 2 && $0.payload == .timeoutNow }
        for _ in 0..<RaftStateMachineCluster.defaultOptions.electionTicks { cluster.tick(1) }
        cluster.stabilize()
        #expect(cluster[1].status.transferTarget == nil)
        #expect(cluster.leaders == [1])
        try cluster.propose(1, "after")
        #expect(cluster.appliedStrings(2) == ["after"])
    }

    @Test(arguments: [RaftNodeID(1), 9, 4])
    func invalidTargetsAreRefused(_ target: RaftNodeID) throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.add(4, durable: .empty)
        cluster.campaign(1)
        try cluster[1].proposeMembershipChange(.addLearner(4, address: "node4"))
        cluster.stabilize()
        #expect {
            try cluster[1].transferLeadership(to: target)
        } throws: { ($0 as? RaftError)?.code == .invalidTransferTarget }
        #expect {
            try cluster[2].transferLeadership(to: 3)
        } throws: { ($0 as? RaftError)?.code == .notLeader }
    }
}
