import BatonCore
import BatonTestSupport
import Foundation
import Testing

/// Only the link between DC1 (the primary) and DC2 (the Raft leader) is cut, and DC3 still sees both. The leader
/// keeps its quorum through DC3, sees the primary unreachable and DC2's replicas broken — `DeadMaster…` from its own
/// view — but before it recovers it asks every voter to look again (the confirmation round): node 3 (and node 1)
/// see the primary alive and writable, so nothing is failed over, the analysis shows `UnreachableMaster` naming who
/// saw it alive, and there is only ever one writable server. Baton used to promote in DC2 here (two writable
/// primaries), as orchestrator v3.2.6 still does. `BATON_FAULT_RUNS=N` repeats each scenario.
@Suite(.serialized) struct PartialPartitionTests {
    @Test func aLeaderCutFromThePrimaryAloneDoesNotFailItOver() async throws {
        for run in 1...FaultRuns.count {
            try await cutTheLeaderFromThePrimary(
                DataCentreIsolationTests.twoDataCentresAndAMediator, scenario: "partial-partition", run: run,
                leaderSeesADeadPrimary: true)
        }
    }

    /// The same cut with a replica in DC3 too: the leader itself sees that replica receiving from the primary, so
    /// its own analysis already stops at `UnreachableMaster` — and nothing may be failed over either.
    @Test func aLeaderCutFromThePrimaryWithAReplicaInTheThirdDataCentreDoesNotFailItOver() async throws {
        for run in 1...FaultRuns.count {
            try await cutTheLeaderFromThePrimary(
                DataCentreIsolationTests.threeDataCentres, scenario: "partial-partition-replica-in-dc3", run: run,
                leaderSeesADeadPrimary: false)
        }
    }

    /// - Parameter leaderSeesADeadPrimary: whether the leader's own view calls the primary dead (then the group must
    ///   refuse it, and the analysis says so), or only unreachable.
    func cutTheLeaderFromThePrimary(
        _ layout: DataCentreLab.Layout, scenario: String, run: Int, leaderSeesADeadPrimary: Bool
    ) async throws {
        let lab = try await DataCentreLab.start(layout)
        defer { lab.tearDown() }
        try await lab.discoverAndWait(primary: 1)
        try await lab.makeLeader(1)
        let clock = ContinuousClock()
        let cutAt = clock.now
        try lab.lab.cut(1, 2)

        // The leader's own view turns into a dead primary; the group refuses it, and the analysis says who saw the
        // primary alive (or, with a replica in DC3, the leader's own view stops at UnreachableMaster). Bounded by a
        // connect timeout plus the DC2 replicas' slave_net_timeout, with room to spare.
        var refusal: ReplicationAnalysis?
        while clock.now - cutAt < .seconds(90), refusal == nil {
            let analysis = try? await lab.nodes[1].api.decode(APIResponse<[ReplicationAnalysis]>.self, "replication-analysis")
            refusal = analysis?.details?.first {
                $0.analyzedInstanceKey == lab.sandbox.key(1) && $0.analysis == .unreachableMaster
                    && (!leaderSeesADeadPrimary || $0.description.contains("does not confirm"))
            }
            if refusal == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        let refusedAfter = clock.now - cutAt
        let shown = try #require(
            refusal, "run \(run): the leader never showed the refused confirmation:\n\(lab.logs())")
        if leaderSeesADeadPrimary {
            let aliveFor = [lab.nodes[0].raftAddress, lab.nodes[2].raftAddress]
            #expect(aliveFor.contains { shown.description.contains("node \($0) sees") }, "run \(run): \(shown.description)")
        }

        // Long enough for a wrong failover to happen, had the leader started one: several looks of the coordinator.
        try await Task.sleep(for: .seconds(8))
        var recoveries = 0
        for index in lab.nodes.indices {
            recoveries += await lab.recoveries(on: index)?.count ?? 0
        }
        let writable = layout.servers.keys.sorted().filter { server in
            ((try? lab.sandbox.sql(server, "SELECT @@read_only")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines) == "0"
        }
        #expect(recoveries == 0, "run \(run): a recovery ran although the primary is alive:\n\(lab.logs())")
        #expect(writable == [1], "run \(run): writable servers \(writable)")
        let hooks = lab.nodes.flatMap { $0.hookLines() }.filter { !$0.hasPrefix("detection") }
        #expect(hooks.isEmpty, "run \(run): failover hooks ran: \(hooks)")

        // Heal: DC2's replicas replicate from the primary again.
        try lab.lab.heal()
        try await lab.expectReplicates(from: 1, to: layout.servers.keys.filter { $0 != 1 }.sorted(), run: run)
        FaultRuns.record([
            "scenario": scenario, "run": run, "recoveries": recoveries, "writableServers": writable.count,
            "refusedAfterSeconds": refusedAfter.seconds, "refusal": shown.description,
        ])
    }
}
