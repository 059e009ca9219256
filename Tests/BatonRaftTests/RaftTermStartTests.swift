import BatonRaft
import Testing

/// A new leader's state may lag what earlier leaders wrote: until it has applied its own term's first entry (the
/// no-op it appends on winning) it must not act on it. `termStartIndex` says where that entry is; the runtime's
/// `isLeader` waits for `appliedIndex` to reach it.
@Suite struct RaftTermStartTests {
    static func isAppendResponse(_ message: RaftMessage) -> Bool {
        if case .appendResponse = message.payload { return true }
        return false
    }

    @Test func aNewLeaderHasNotAppliedTheFormerLeadersTailUntilItsTermStartIsApplied() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        try cluster.propose(1, "a")
        // "resolved": replicated to 2 and 3 but never acknowledged, so nobody knows it is committed.
        cluster.drop = Self.isAppendResponse
        try cluster.propose(1, "resolved")
        #expect(cluster.appliedStrings(2) == ["a"])
        #expect(cluster.appliedStrings(3) == ["a"])

        // Node 1 goes away; node 2 or 3 wins, but its no-op is not acknowledged yet.
        cluster.drop = { $0.from == 1 || $0.to == 1 || Self.isAppendResponse($0) }
        for _ in 0..<100 where !cluster.leaders.contains(where: { $0 != 1 }) { cluster.tickAll() }
        let new = try #require(cluster.leaders.first { $0 != 1 })
        let follower: RaftNodeID = new == 2 ? 3 : 2
        let won = cluster[new].status
        #expect(won.role == .leader)
        #expect(won.termStartIndex == won.lastLog.index)
        #expect(won.appliedIndex < won.termStartIndex, "a leader that has not applied its term start: \(won)")
        #expect(cluster.appliedStrings(new) == ["a"], "the former leader's tail is not applied yet")

        // Once the no-op commits, everything before it is applied too.
        cluster.drop = { $0.from == 1 || $0.to == 1 }
        cluster.tickAll()
        let caughtUp = cluster[new].status
        #expect(caughtUp.appliedIndex >= caughtUp.termStartIndex)
        #expect(cluster.appliedStrings(new) == ["a", "resolved"])
        #expect(cluster[follower].status.termStartIndex == 0, "a follower has no term start")
    }
}
