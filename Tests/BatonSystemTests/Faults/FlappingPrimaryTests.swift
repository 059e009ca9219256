import BatonCore
import BatonTestSupport
import Foundation
import Testing

/// A flapping primary in a Raft group: the primary dies and is recovered; it comes back; the new primary dies soon
/// after, and by then another node leads. The anti-flapping block lives in the replicated recovery history, so the
/// new leader must hold it too: one recovery, one set of hooks, the second failure waiting for an acknowledgement.
@Suite(.serialized) struct FlappingPrimaryTests {
    @Test func antiFlappingHoldsAcrossALeadershipChange() async throws {
        let layout = DataCentreIsolationTests.threeDataCentres
        let lab = try await DataCentreLab.start(layout)
        defer { lab.tearDown() }
        try await lab.discoverAndWait(primary: 1)
        let firstLeader = try #require(try await lab.waitForLeader())

        // The primary dies: one recovery, by the leader.
        try lab.sandbox.kill(1)
        var first: TopologyRecoveryDocument?
        for _ in 0..<600 where first == nil {
            first = await lab.recoveries(on: firstLeader)?.first { !$0.recoveryEndTimestamp.isEmpty }
            if first == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let recovery = try #require(first, "no recovery of the first failure:\n\(lab.logs())")
        #expect(recovery.isSuccessful, "\(recovery.allErrors)")
        let successor = try #require(recovery.successorKey)
        let successorServer = try #require(layout.servers.keys.first { lab.sandbox.key($0) == successor })

        // It comes back (a separate, downtimed server now); leadership moves; the new primary dies.
        try lab.sandbox.start(1)
        let secondLeader = (firstLeader + 1) % 3
        try await lab.makeLeader(secondLeader)
        // The new leader must have probed the successor as a primary (writable, no source) before it dies:
        // otherwise it analyses the failure on the successor's pre-promotion state (an intermediate primary).
        let (_, seenPromoted) = try await lab.nodes[secondLeader].api.poll([InstanceDocument].self, "all-instances") {
            $0.contains { $0.key == successor && !$0.readOnly && !$0.masterKey.isValid && $0.isLastCheckValid }
        }
        #expect(seenPromoted, "node \(secondLeader + 1) never saw \(successor) promoted:\n\(lab.logs())")
        try lab.sandbox.kill(successorServer)

        let (blocked, wasBlocked) = try await lab.nodes[secondLeader].api.poll(
            [BlockedRecoveryDocument].self, "blocked-recoveries", timeout: .seconds(60)
        ) { $0.contains { $0.failedInstanceKey == successor } }
        #expect(wasBlocked, "the new leader did not block the second failover: \(blocked)\n\(lab.logs())")
        #expect(blocked.first { $0.failedInstanceKey == successor }?.blockingRecoveryId == recovery.id)
        // Time for a wrong second recovery, had the block not held.
        try await Task.sleep(for: .seconds(5))
        var recoveriesWhileBlocked = 0
        for index in lab.nodes.indices {
            let history = await lab.recoveries(on: index) ?? []
            #expect(history.map(\.uid) == [recovery.uid], "node \(index + 1) holds \(history.map(\.uid))")
            recoveriesWhileBlocked = max(recoveriesWhileBlocked, history.count)
        }
        let postFailover = lab.nodes.flatMap { $0.hookLines() }.filter { $0.hasPrefix("post-failover") }
        #expect(postFailover.count == 1, "\(postFailover)")

        // An acknowledgement releases the block: the new leader recovers the second failure.
        let (acknowledged, body) = try await lab.nodes[secondLeader].api.get("ack-all-recoveries?comment=flapping+test")
        #expect(acknowledged == 200, "\(String(decoding: body, as: UTF8.self))")
        let (after, recoveredAgain) = try await lab.nodes[secondLeader].api.poll(
            [TopologyRecoveryDocument].self, "audit-recovery", timeout: .seconds(60)
        ) { $0.count == 2 && $0.allSatisfy { !$0.recoveryEndTimestamp.isEmpty } }
        #expect(recoveredAgain, "\(after.map(\.uid))\n\(lab.logs())")
        #expect(after.first { $0.uid != recovery.uid }?.processingNodeHostname == lab.nodes[secondLeader].raftAddress)
        FaultRuns.record([
            "scenario": "flapping-primary-leadership-change", "run": 1, "recoveriesWhileBlocked": recoveriesWhileBlocked,
            "hooksWhileBlocked": postFailover.count,
        ])
    }
}
