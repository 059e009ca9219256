import BatonTestSupport
import Testing

@testable import BatonRaft

/// The leadership lease behind `RaftNode.isLeader`, as a table: it runs from when an acknowledged heartbeat was
/// *sent*, minus a drift margin — not from when the answer arrived, so a leader whose loop stalled (a long pause, a
/// hung disk) and then reads old answers does not believe it led through the stall.
@Suite struct RaftLeaseTests {
    static let timeout: Duration = .seconds(1)
    static let start = MockClock.Instant(offset: .seconds(100))

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        /// When each peer's newest acknowledged heartbeat was sent, relative to now (nil: none).
        var sentAgo: [UInt64: Duration?]
        /// When each peer was last heard from, relative to now.
        var heardAgo: [UInt64: Duration]
        var applied: UInt64 = 5
        var leads: Bool
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "both peers acknowledged a heartbeat sent 200 ms ago", sentAgo: [2: .milliseconds(200), 3: .milliseconds(200)],
            heardAgo: [2: .zero, 3: .zero], leads: true),
        Row(name: "one peer within the lease is a quorum with this node", sentAgo: [2: .milliseconds(850), 3: nil],
            heardAgo: [2: .zero, 3: .seconds(5)], leads: true),
        Row(name: "answers that arrived just now to heartbeats sent before a 3 s stall do not count",
            sentAgo: [2: .seconds(3), 3: .seconds(3)], heardAgo: [2: .zero, 3: .zero], leads: false),
        Row(name: "the drift margin: a heartbeat sent 950 ms ago no longer holds a 1 s lease",
            sentAgo: [2: .milliseconds(950), 3: .milliseconds(950)], heardAgo: [2: .zero, 3: .zero], leads: false),
        Row(name: "a leader that has not applied its term's first entry does not lead",
            sentAgo: [2: .milliseconds(100), 3: .milliseconds(100)], heardAgo: [2: .zero, 3: .zero], applied: 3,
            leads: false),
    ]

    @Test(arguments: rows)
    func lease(_ row: Row) {
        let now = Self.start
        var shared = RaftNode<MockClock>.Shared()
        shared.running = true
        shared.lastRound = now
        shared.status = RaftStatus(
            id: 1, role: .leader, term: 7, vote: 1, leader: 1, commitIndex: 5, appliedIndex: row.applied,
            lastLog: RaftLogPosition(index: 5, term: 7), logBase: .zero, snapshotIndex: 0,
            membership: RaftMembership((1...3).map { RaftMember(id: RaftNodeID($0)) }), peers: [], transferTarget: nil,
            termStartIndex: 4)
        for (peer, ago) in row.sentAgo {
            if let ago { shared.leaseFrom[RaftNodeID(peer)] = now.advanced(by: .zero - ago) }
        }
        for (peer, ago) in row.heardAgo { shared.lastContact[RaftNodeID(peer)] = now.advanced(by: .zero - ago) }
        #expect(shared.leads(now: now, electionTimeout: Self.timeout) == row.leads)
    }
}
