import BatonRaft
import Testing

/// Scenarios from the Raft paper (Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm").
@Suite struct RaftPaperScenarioTests {
    /// Figure 7: the leader of term 8 and six followers whose logs are missing entries, hold extra uncommitted
    /// entries, or both. Whatever the follower holds, the leader repairs its log to equal its own, and fast back-off
    /// needs at most two rejections to find the point of agreement.
    static let leaderLog: [UInt64] = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]
    static let figure7: [(name: String, terms: [UInt64])] = [
        ("a", [1, 1, 1, 4, 4, 5, 5, 6, 6]),
        ("b", [1, 1, 1, 4]),
        ("c", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6]),
        ("d", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]),
        ("e", [1, 1, 1, 4, 4, 4, 4]),
        ("f", [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]),
    ]

    @Test(arguments: figure7.map(\.name))
    func figure7FollowerIsRepaired(_ name: String) throws {
        let follower = try #require(Self.figure7.first { $0.name == name }).terms
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.add(1, durable: durableLog(terms: Self.leaderLog, term: 7, voters: [1, 2, 3]))
        cluster.add(2, durable: durableLog(terms: follower, term: follower.max()!, voters: [1, 2, 3]))
        cluster.add(3, durable: durableLog(terms: Self.leaderLog, term: 7, voters: [1, 2, 3]))
        cluster.campaign(1)
        #expect(cluster.leaders == [1])
        #expect(cluster[1].currentTerm == 8)
        cluster.tickAll(2)
        let leaderLast = cluster[1].lastLogPosition
        #expect(cluster[2].lastLogPosition == leaderLast)
        for index in 1...leaderLast.index {
            #expect(cluster[2].entry(at: index) == cluster[1].entry(at: index), "entry \(index) of follower \(name)")
        }
        let rejections = cluster.delivered.filter { $0.from == 2 && $0.isAppendRejection }.count
        #expect(rejections <= 2, "fast back-off took \(rejections) rejections")
        #expect(cluster[2].commitIndex == leaderLast.index)
    }

    /// Figure 8: a leader must not commit an entry of an earlier term by counting replicas; it commits it only
    /// with an entry of its own term. The leader of term 4 holds 2@2 (from term 2) and its no-op 3@4; followers
    /// acknowledge index 2. Counting replicas, 2@2 is on a majority — yet a later leader (holding 2@3) could still
    /// overwrite it, so it must stay uncommitted until 3@4 is on a majority.
    static let figure8Cases: [(mutation: RaftMutation?, commitAfterOldTermAcks: UInt64)] = [
        (nil, 0), (.commitPreviousTermEntries, 2),
    ]

    @Test(arguments: [0, 1])
    func figure8OnlyCurrentTermEntriesCommitByCounting(_ row: Int) throws {
        let (mutation, expected) = Self.figure8Cases[row]
        var options = RaftStateMachineCluster.defaultOptions
        options.mutation = mutation
        let voters: [RaftNodeID] = [1, 2, 3, 4, 5]
        let cluster = RaftStateMachineCluster(voters, options: options)
        cluster.add(1, durable: durableLog(terms: [1, 2], term: 3, voters: voters), options: options)
        cluster.add(2, durable: durableLog(terms: [1, 2], term: 3, voters: voters), options: options)
        cluster.add(3, durable: durableLog(terms: [1], term: 3, voters: voters), options: options)
        cluster.add(4, durable: durableLog(terms: [1], term: 3, voters: voters), options: options)
        cluster.add(5, durable: durableLog(terms: [1, 3], term: 3, voters: voters), options: options)
        cluster.drop = { $0.isAppend }  // elect 1 without replicating anything
        cluster.campaign(1)
        #expect(cluster[1].currentRole == .leader && cluster[1].currentTerm == 4)
        #expect(cluster[1].lastLogPosition == RaftLogPosition(index: 3, term: 4))
        cluster.queue.removeAll()
        func acknowledge(_ follower: RaftNodeID, _ index: UInt64) {
            cluster[1].step(
                RaftMessage(from: follower, to: 1, term: 4, payload: .appendResponse(.init(success: true, index: index))))
        }
        acknowledge(2, 2)
        acknowledge(3, 2)
        #expect(cluster[1].commitIndex == expected)
        acknowledge(2, 3)
        acknowledge(3, 3)
        #expect(cluster[1].commitIndex == 3)
    }

    /// A leader that was cut off keeps its term until it hears from the others; its proposals made meanwhile are
    /// lost, replaced by the new leader's log.
    @Test(arguments: [true, false])
    func staleLeaderIsReplacedAndItsUncommittedEntriesDiscarded(_ checkQuorum: Bool) throws {
        var options = RaftStateMachineCluster.defaultOptions
        options.checkQuorum = checkQuorum
        let cluster = RaftStateMachineCluster([1, 2, 3], options: options)
        cluster.campaign(1)
        try cluster.propose(1, "kept")
        cluster.isolate(1)
        try cluster[1].propose(Array("lost".utf8))
        cluster.collect()
        var ticks = 0
        while ![2, 3].contains(where: { cluster[$0].currentRole == .leader }) && ticks < 100 {
            cluster.tick(2)
            cluster.tick(3)
            cluster.stabilize()
            ticks += 1
        }
        let newLeader: RaftNodeID = cluster[2].currentRole == .leader ? 2 : 3
        #expect(cluster[newLeader].currentRole == .leader)
        try cluster.propose(newLeader, "new")
        cluster.heal()
        cluster.tickAll(15)
        #expect(cluster.leaders == [newLeader])
        for id: RaftNodeID in [1, 2, 3] { #expect(cluster.appliedStrings(id) == ["kept", "new"]) }
    }

    /// Split votes: two candidates in the same term, neither with a majority. Randomized timeouts resolve it.
    @Test(arguments: [UInt64(1), 2, 3])
    func splitVotesResolve(_ seed: UInt64) throws {
        var options = RaftStateMachineCluster.defaultOptions
        options.preVote = false
        let voters: [RaftNodeID] = [1, 2, 3, 4, 5]
        let cluster = RaftStateMachineCluster(voters, options: options)
        for id in voters {
            var seeded = options
            seeded.randomSeed = seed
            cluster.add(id, durable: .bootstrap(RaftMembership(voters.map { RaftMember(id: $0) })), options: seeded)
        }
        // 1 and 2 campaign in the same term; 3 votes for 1, 4 for 2, 5 hears neither.
        cluster.drop = { m in
            m.to == 5 || m.from == 5 || (m.from == 1 && m.to == 4) || (m.from == 2 && m.to == 3)
        }
        while cluster[1].currentRole == .follower { cluster[1].tick() }
        while cluster[2].currentRole == .follower { cluster[2].tick() }
        cluster.stabilize()
        #expect(cluster.leaders.isEmpty)
        #expect(cluster[1].currentRole == .candidate && cluster[2].currentRole == .candidate)
        #expect(cluster[1].currentTerm == cluster[2].currentTerm)
        cluster.heal()
        var rounds = 0
        while cluster.leaders.isEmpty && rounds < 200 {
            cluster.tickAll()
            rounds += 1
        }
        #expect(cluster.leaders.count == 1)
        #expect(cluster[cluster.leaders[0]].currentTerm > 2)
    }
}
