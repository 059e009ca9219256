import BatonCore
import BatonEngine
import BatonRaft
import BatonStore
import BatonTestSupport
import Foundation
import Testing

/// Baton's replicated state on real Raft nodes: whatever a node went through — a restart that clears its tables
/// and replays, a snapshot installed because it lagged, a wipe and a rejoin under a new id — once it has applied the
/// same log prefix it holds the same rows with the same ids, so an id in a replicated command (`ack-recovery/:id`)
/// names the same recovery on every node.
@Suite(.timeLimit(.minutes(3)))
struct ReplicatedStateDigestTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let automatic = RegistrationRules(isManual: false, blockSeconds: 3600)

    static let options: RaftOptions = {
        var options = RaftRuntimeCluster.fastOptions
        options.snapshotThreshold = 8
        options.trailingEntries = 2
        return options
    }()

    static func key(_ n: Int) -> InstanceKey { InstanceKey(hostname: "db-\(n)", port: 3306) }

    static func recovery(_ uid: String, failed n: Int, at offset: TimeInterval) -> RecoveryRecord {
        RecoveryRecord(
            id: 12_345, uid: uid, failedKey: key(n), clusterName: "\(key(n))", analysis: .deadMaster,
            kind: .masterRecovery, processingNode: "node-1", startedAt: now.addingTimeInterval(offset))
    }

    static func step(_ uid: String, _ message: String) -> BatonCommand {
        .recoveryStep(RecoveryStepRecord(recoveryUID: uid, at: now, message: message))
    }

    /// Every running node has applied the leader's whole log, and they all hold the same digest; returns the index.
    @discardableResult
    static func expectSameState(_ group: BatonRaftTestGroup, _ moment: String) async throws -> UInt64 {
        let index = try await group.waitUntilAllApplied()
        var digests: [String: [RaftNodeID]] = [:]
        for id in group.running {
            #expect(group.node(id).status.appliedIndex == index)
            digests[try group.database(id).replicatedStateDigest(), default: []].append(id)
        }
        #expect(digests.count == 1, "\(moment): nodes disagree at index \(index): \(digests)")
        return index
    }

    @Test func everyNodeHoldsTheSameStateThroughRestartsSnapshotsAndRejoins() async throws {
        let group = try await BatonRaftTestGroup(3, options: Self.options)
        do {
            try await scenario(group)
        } catch {
            await group.shutdown()
            throw error
        }
        await group.shutdown()
    }

    func scenario(_ group: BatonRaftTestGroup) async throws {
        let now = Self.now
        // A mix of commands: operator decisions, a detection, a recovery run to its end, one still running, one
        // refused where it was applied.
        _ = try await group.submit(.beginDowntime(Downtime(key: Self.key(9), owner: "ops", reason: "r", endsAt: now + 3600), beginsAt: now))
        _ = try await group.submit(
            .registerCandidate(
                CandidateRegistration(key: Self.key(2), rule: .prefer, registeredAt: now, expiresAt: now + 3600)))
        let detection = try #require(
            try await group.submit(
                .registerDetection(
                    FailureDetectionRecord(
                        key: Self.key(1), clusterName: "\(Self.key(1))", analysis: .deadMaster, detectedAt: now,
                        endsActivePeriod: now + 600, document: Data("{}".utf8)))
            ).detection)
        let first = try #require(
            try await group.submit(.registerRecovery(Self.recovery("r1", failed: 1, at: 1), Self.automatic)).recovery)
        #expect(first.id != 12_345, "the id is the entry's log index, not the one the leader sent")
        #expect(first.id > detection.id)
        for message in ["will handle", "plan"] { _ = try await group.submit(Self.step("r1", message)) }
        _ = try await group.submit(.markExecuting(uid: "r1", at: now + 2))
        _ = try await group.submit(
            .resolveRecovery(uid: "r1", RecoveryResolution(endedAt: now + 5, attempted: true, isSuccessful: true, successor: Self.key(2))))
        let refused = try await group.submit(.registerRecovery(Self.recovery("r1-again", failed: 1, at: 6), Self.automatic))
        #expect(refused.recovery == nil && refused.blockingRecovery?.uid == "r1")
        _ = try #require(
            try await group.submit(.registerRecovery(Self.recovery("r2", failed: 5, at: 7), Self.automatic)).recovery)
        _ = try await group.submit(Self.step("r2", "will handle"))
        try await Self.expectSameState(group, "after the first commands")

        // A follower restarts: its tables are cleared and rebuilt from its snapshot and log.
        let leader = try await group.waitForLeader()
        let followers = group.running.filter { $0 != leader.id }
        try await group.restart(followers[0])
        _ = try await group.submit(Self.step("r2", "after a restart"))
        try await Self.expectSameState(group, "after a follower's restart")

        // A follower lags while the leader compacts its log past it: it catches up through a snapshot.
        let stillLeading = try await group.waitForLeader()
        let lagging = try #require(group.running.last { $0 != stillLeading.id })
        group.network.isolate(lagging, from: group.running)
        let appliedBefore = group.node(lagging).status.appliedIndex
        for n in 0..<20 { _ = try await group.submit(Self.step("r2", "step \(n)")) }
        let compacted = try #require(group.currentLeader()).status.snapshotIndex
        #expect(compacted > appliedBefore + Self.options.trailingEntries + 1, "the entries it lacks are gone")
        group.network.heal()
        try await Self.expectSameState(group, "after a snapshot was installed")

        // A node loses its data: removed, wiped, and back under a new id through a snapshot.
        let current = try await group.waitForLeader()
        // (Not the restarted node: it stays to the end, where its ids are checked once more.)
        let wiped = try #require(group.running.first { $0 != current.id && $0 != followers[0] })
        try await group.run("node \(wiped) is removed") { try await current.removeServer(wiped) }
        try await group.wipe(wiped)
        try await group.start(4, storage: RaftInMemoryStorage())
        try await group.run("node 4 is added") { try await current.addLearner(4, address: "memory:4") }
        try await group.advance(until: "node 4 caught up") {
            group.node(4).status.appliedIndex >= current.status.commitIndex
        }
        try await group.run("node 4 votes") { try await current.promote(4) }
        _ = try await group.submit(.endDowntime(Self.key(9), at: now + 60))
        try await Self.expectSameState(group, "after a wipe and rejoin")

        // An acknowledgement by id acknowledges the same recovery on every node.
        let acknowledged = try await group.submit(
            .acknowledgeRecoveries(.id(first.id), by: "ops", comment: "checked", at: now + 100))
        #expect(acknowledged.count == 1)
        try await Self.expectSameState(group, "after the acknowledgement")
        for id in group.running {
            let records = try group.database(id).recoveries(.id(first.id))
            #expect(records.map(\.uid) == ["r1"], "node \(id)")
            #expect(records.first?.acknowledged == true, "node \(id)")
            #expect(try group.database(id).recoveries(unacknowledgedOnly: true).map(\.uid) == ["r2"], "node \(id)")
        }
    }
}
