import BatonCore
import BatonTestSupport
import Foundation
import Testing

/// A known gap, kept visible: only the link between DC1 (primary) and DC2 (the Raft leader) is cut, and the
/// mediator in DC3 still sees both. The leader keeps its quorum through the mediator, sees the primary unreachable
/// and DC2's replicas lost — `DeadMasterAndSomeReplicas` from its own view — and fails over a primary that is alive
/// and writable for DC1: two writable primaries. Detection is the leader's own view; confirming a dead primary with
/// the other nodes' views would close this (orchestrator has the same gap). When that is built, this test's known
/// issue stops reproducing, the test fails, and the expectation below becomes a plain one.
@Suite(.serialized) struct PartialPartitionTests {
    @Test func aLeaderCutFromThePrimaryAloneShouldNotFailItOver() async throws {
        let lab = try await DataCentreLab.start(DataCentreIsolationTests.twoDataCentresAndAMediator)
        defer { lab.tearDown() }
        try await lab.discoverAndWait(primary: 1)
        try await lab.makeLeader(1)
        try lab.lab.cut(1, 2)
        // Long enough for a detection (a connect timeout plus the replicas' slave_net_timeout) and a recovery.
        var recoveries: [TopologyRecoveryDocument] = []
        for _ in 0..<300 where recoveries.isEmpty {
            recoveries = await lab.recoveries(on: 1)?.filter { !$0.recoveryEndTimestamp.isEmpty } ?? []
            if recoveries.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        let primaryWritable = ((try? lab.sandbox.sql(1, "SELECT @@read_only")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines) == "0"
        withKnownIssue("leader-only detection fails over a live primary under a partial partition") {
            #expect(recoveries.isEmpty, "the leader failed over \(recoveries.map { "\($0.analysisEntry?.analyzedInstanceKey.description ?? "?") → \($0.successorKey?.description ?? "none")" }) while the primary is writable: \(primaryWritable)")
        }
        FaultRuns.record([
            "scenario": "partial-partition-known-gap", "run": 1, "recoveries": recoveries.count,
            "oldPrimaryStillWritable": primaryWritable,
        ])
    }
}
