import BatonRaft
import Testing

@Suite struct RaftMembershipTests {
    @Test func emptyNodeJoinsAsLearnerCatchesUpThroughASnapshotAndIsPromoted() throws {
        let options = RaftSnapshotTests.snapshottingOptions
        let cluster = RaftStateMachineCluster([1, 2, 3], options: options)
        cluster.answerSnapshotRequests = true
        cluster.campaign(1)
        for i in 0..<12 { try cluster.propose(1, "c\(i)") }
        cluster.add(4, durable: .empty, options: options)
        try cluster[1].proposeMembershipChange(.addLearner(4, address: "10.0.0.4:10008"))
        cluster.tickAll(4)
        #expect(cluster[1].membership.learners == [4])
        #expect(cluster[1].membership.member(4)?.address == "10.0.0.4:10008")
        #expect(cluster.restored[4] != nil)
        #expect(cluster.appliedStrings(4) == cluster.appliedStrings(1))
        // A learner counts for no quorum: with 2 and 3 unreachable nothing commits.
        cluster.drop = { [2, 3].contains($0.to) }
        let committed = cluster[1].commitIndex
        try cluster.propose(1, "needs a voter")
        cluster.tickAll(2)
        #expect(cluster[1].commitIndex == committed)
        cluster.heal()
        cluster.tickAll(2)
        try cluster[1].proposeMembershipChange(.promote(4))
        cluster.tickAll(2)
        #expect(cluster[1].membership.voters == [1, 2, 3, 4])
        #expect(cluster[4].membership.voters == [1, 2, 3, 4])
    }

    @Test func learnerIsPromotedOnlyOnceCaughtUp() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        cluster.add(4, durable: .empty)
        cluster.drop = { $0.to == 4 }
        try cluster[1].proposeMembershipChange(.addLearner(4, address: "node4"))
        cluster.tickAll(2)
        #expect {
            try cluster[1].proposeMembershipChange(.promote(4))
        } throws: { ($0 as? RaftError)?.code == .learnerNotCaughtUp }
    }

    @Test func oneChangeAtATime() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        cluster.drop = { $0.isAppend }
        try cluster[1].proposeMembershipChange(.addLearner(4, address: "node4"))
        #expect {
            try cluster[1].proposeMembershipChange(.addLearner(5, address: "node5"))
        } throws: { ($0 as? RaftError)?.code == .membershipChangeInProgress }
    }

    @Test func newLeaderChangesNothingBeforeItCommitsInItsTerm() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.drop = { $0.isAppend }
        cluster.campaign(1)
        #expect(cluster[1].currentRole == .leader)
        #expect {
            try cluster[1].proposeMembershipChange(.remove(3))
        } throws: { ($0 as? RaftError)?.code == .membershipChangeInProgress }
    }

    @Test func removedFollowerDoesNotDisturbTheCluster() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        let term = cluster[1].currentTerm
        try cluster[1].proposeMembershipChange(.remove(3))
        cluster.tickAll(2)
        #expect(cluster[1].membership.voters == [1, 2])
        cluster.tickAll(100)
        #expect(cluster.leaders == [1])
        #expect(cluster[1].currentTerm == term)
        try cluster.propose(1, "without 3")
        #expect(cluster.appliedStrings(2) == ["without 3"])
    }

    @Test func removedLeaderStepsDownAfterCommittingItsRemoval() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        try cluster.propose(1, "before")
        try cluster[1].proposeMembershipChange(.remove(1))
        cluster.stabilize()
        #expect(cluster[1].currentRole == .follower)
        // It handed over at once: the most up-to-date voter got TimeoutNow and won.
        #expect(cluster.leaders.count == 1)
        let successor = try #require(cluster.leaders.first)
        #expect(successor != 1)
        #expect(cluster[successor].membership.voters == [2, 3])
        cluster.tickAll(60)
        #expect(cluster[1].currentRole != .leader)
        try cluster.propose(successor, "after")
        for id: RaftNodeID in [2, 3] { #expect(cluster.appliedStrings(id) == ["before", "after"]) }
    }

    @Test func membershipRules() throws {
        let membership = RaftMembership([RaftMember(id: 2, address: "b"), RaftMember(id: 1, address: "a")])
        #expect(membership.ids == [1, 2])
        #expect(membership.quorum == 2)
        #expect(throws: RaftError.self) { try membership.applying(.addLearner(1, address: "x")) }
        #expect(throws: RaftError.self) { try membership.applying(.promote(1)) }
        #expect(throws: RaftError.self) { try RaftMembership([RaftMember(id: 1)]).applying(.remove(1)) }
        let moved = try membership.applying(.updateAddress(2, address: "c"))
        #expect(moved.member(2)?.address == "c")
        #expect(try RaftMembership(decoding: moved.encoded()) == moved)
    }
}
