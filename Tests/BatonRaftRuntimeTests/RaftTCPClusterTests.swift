import BatonRaft
import BatonTestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import BatonRaft

/// Three nodes in this process over real TCP on 127.0.0.1, each with its own `raft.sqlite3` in a temporary
/// directory. Tests wait for behaviour with generous timeouts; they never assert how long it took.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RaftTCPClusterTests {
    static let secret = "cluster-secret"

    @Test func electsALeaderAndReplicatesProposals() async throws {
        try await withRaftCluster(3, secret: Self.secret) { cluster in
            let leader = try await cluster.waitForLeader()
            var last: UInt64 = 0
            for n in 1...20 {
                _ = try await leader.propose(command(n))
                last = leader.status.appliedIndex
            }
            try await cluster.waitForApplied([1, 2, 3], through: last)
            for id in cluster.running {
                #expect(cluster.app(id).commands == (1...20).map { command($0) })
            }
            // The leader learns the followers' progress from their acknowledgements: give them time on a busy machine.
            var status = leader.status
            for _ in 0..<100 where !status.peers.allSatisfy({ ($0.matchIndex ?? 0) >= last && $0.lastContact != nil }) {
                try await Task.sleep(for: .milliseconds(100))
                status = leader.status
            }
            #expect(status.peers.count == 2)
            #expect(status.peers.allSatisfy { ($0.matchIndex ?? 0) >= last && $0.lastContact != nil })
            // Followers refuse proposals and name the leader and its address.
            let follower = cluster.node(cluster.running.first { $0 != leader.id }!)
            let error = try await #require(throws: RaftNodeError.self) { try await follower.propose(command(0)) }
            #expect(error.code == .notLeader)
            #expect(error.leader?.id == leader.id)
            #expect(error.leader?.address == cluster.members[leader.id]!.address)
            #expect(follower.status.leaderLastContact != nil)
        }
    }

    @Test func aRestartedFollowerCatchesUpFromItsStorage() async throws {
        try await withRaftCluster(3, secret: Self.secret) { cluster in
            let leader = try await cluster.waitForLeader()
            for n in 1...5 { _ = try await leader.propose(command(n)) }
            let follower = cluster.running.first { $0 != leader.id }!
            try await cluster.waitForApplied([follower], through: leader.status.appliedIndex)
            let termBefore = leader.status.term
            await cluster.stop(follower)
            // The two others still make a quorum.
            for n in 6...15 { _ = try await leader.propose(command(n)) }
            try await cluster.start(follower)
            try await cluster.waitForApplied([follower], through: leader.status.appliedIndex)
            // The application is in memory: it got the log again from the node's own storage and the leader.
            #expect(cluster.app(follower).commands == (1...15).map { command($0) })
            #expect(cluster.node(follower).leader?.id == leader.id)
            #expect(leader.status.term == termBefore, "a returning follower must not disturb the leader (PreVote)")

            // An application with durable state says how far it got: nothing is applied twice.
            cluster.app(follower).becomeDurable()
            await cluster.stop(follower)
            for n in 16...20 { _ = try await leader.propose(command(n)) }
            try await cluster.start(follower, keepingApplication: true)
            try await cluster.waitForApplied([follower], through: leader.status.appliedIndex)
            #expect(cluster.app(follower).commands == (1...20).map { command($0) })
        }
    }

    @Test func aWipedNodeRejoinsUnderANewIdThroughASnapshot() async throws {
        var options = RaftRuntimeCluster.fastOptions
        options.snapshotThreshold = 16
        options.trailingEntries = 4
        options.snapshotChunkSize = 4096  // the snapshot takes several chunks
        try await withRaftCluster(3, secret: Self.secret, options: options) { cluster in
            let leader = try await cluster.waitForLeader()
            for n in 1...60 { _ = try await leader.propose(command(n, size: 512)) }
            try await requireEventually("the leader compacted its log") { leader.status.snapshotIndex > 0 }
            // Node 3 (or another follower) loses its disk. A wiped node has lost its vote: it comes back under a new id.
            let wiped = cluster.running.first { $0 != leader.id }!
            await cluster.stop(wiped)
            try cluster.wipe(wiped)
            try await leader.removeServer(wiped)
            #expect(!leader.status.membership.contains(wiped))

            let newcomer = RaftNodeID(4)
            let member = try await cluster.add(newcomer)
            try await cluster.start(newcomer)  // empty storage, no bootstrap: waits to be added
            try await leader.addLearner(newcomer, address: member.address)
            try await cluster.waitForApplied([newcomer], through: leader.status.appliedIndex)
            #expect(cluster.app(newcomer).restores >= 1, "the newcomer was populated by a snapshot")
            #expect(cluster.app(newcomer).commands == (1...60).map { command($0, size: 512) })
            try await requireEventually("the learner can be promoted") {
                do {
                    try await leader.promote(newcomer)
                    return true
                } catch let error as RaftNodeError where error.raftError?.code == .learnerNotCaughtUp {
                    return false
                }
            }
            #expect(leader.status.membership.voters.contains(newcomer))
            // The cluster goes on with the newcomer as a voter.
            _ = try await leader.propose(command(61))
            try await cluster.waitForApplied([newcomer], through: leader.status.appliedIndex)
            #expect(cluster.app(newcomer).commands.last == command(61))
        }
    }

    @Test func leadershipMovesToTheNamedNode() async throws {
        try await withRaftCluster(3, secret: Self.secret) { cluster in
            let leader = try await cluster.waitForLeader()
            _ = try await leader.propose(command(1))
            let target = cluster.running.first { $0 != leader.id }!
            try await leader.transferLeadership(to: target)
            let newLeader = try await cluster.waitForLeader()
            #expect(newLeader.id == target)
            #expect(!leader.isLeader)
            _ = try await newLeader.propose(command(2))
            // Invalid targets are refused.
            let error = try await #require(throws: RaftNodeError.self) {
                try await newLeader.transferLeadership(to: 99)
            }
            #expect(error.code == .refused)
            let notLeader = try await #require(throws: RaftNodeError.self) {
                try await leader.transferLeadership(to: leader.id)
            }
            #expect(notLeader.code == .notLeader)
        }
    }

    @Test func aRemovedLeaderStepsDown() async throws {
        try await withRaftCluster(3, secret: Self.secret) { cluster in
            let leader = try await cluster.waitForLeader()
            _ = try await leader.propose(command(1))
            try await leader.removeServer(leader.id)
            try await requireEventually("the removed leader no longer leads") { !leader.isLeader }
            let others = cluster.running.filter { $0 != leader.id }
            let newLeader = try await cluster.waitForLeader(among: others)
            #expect(newLeader.id != leader.id)
            #expect(newLeader.status.membership.voters == others)
            _ = try await newLeader.propose(command(2))
            try await cluster.waitForApplied(others, through: newLeader.status.appliedIndex)
            #expect(!leader.isLeader)
        }
    }

    @Test func garbageAndForgedFramesDoNoHarm() async throws {
        try await withRaftCluster(3, secret: Self.secret) { cluster in
            let leader = try await cluster.waitForLeader()
            _ = try await leader.propose(command(1))
            let follower = cluster.running.first { $0 != leader.id }!
            let port = RaftPeerAddressForTests.port(of: cluster.members[follower]!.address)
            let termBefore = leader.status.term
            // A forged vote request with a huge term, under the wrong secret; then garbage; then a frame too large.
            let forged = RaftMessage(
                from: leader.id, to: follower, term: termBefore + 1000,
                payload: .voteRequest(.init(lastLog: RaftLogPosition(index: 1 << 40, term: 1 << 40), preVote: false, transfer: true)))
            let wrongKey = RaftFrameCodec(secret: Array("not-the-secret".utf8), maxFrameSize: 1 << 20)
            let hello = RaftHello(sender: leader.id, target: follower, address: "127.0.0.1:1")
            var attacks: [[UInt8]] = [
                Array(wrongKey.seal(.hello, hello.encoded())!.readableBytesView)
                    + Array(wrongKey.seal(.message, forged.encoded())!.readableBytesView),
                (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) },
                [0xFF, 0xFF, 0xFF, 0xF0] + [UInt8](repeating: 0, count: 1024),
            ]
            attacks.append(Array(RaftFrameCodec(secret: nil, maxFrameSize: 1 << 20).seal(.hello, hello.encoded())!.readableBytesView))
            for bytes in attacks {
                #expect(try await Self.closesConnection(after: bytes, port: port))
            }
            // Nothing reached the state machine: no term change, and the cluster keeps working.
            #expect(cluster.node(follower).status.term == termBefore)
            for n in 2...5 { _ = try await leader.propose(command(n)) }
            try await cluster.waitForApplied(cluster.running, through: leader.status.appliedIndex)
            #expect(leader.isLeader)
            #expect(leader.status.term == termBefore)
        }
    }

    /// Sends `bytes` on a fresh connection to `port`; true when the node then closes the connection.
    static func closesConnection(after bytes: [UInt8], port: Int) async throws -> Bool {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: bytes))
            return try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    do {
                        for try await _ in inbound {}
                    } catch {}
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(20))
                    return false
                }
                let closed = try await group.next()!
                group.cancelAll()
                return closed
            }
        }
    }
}
