import BatonCore
import BatonTestSupport
import Foundation
import Testing

/// The reason Baton runs on Raft: a node cut off from the others must never fail over, and the majority must. Real
/// MariaDB servers and real `baton serve` nodes in network namespaces ("data centres"); partitions are silent
/// nftables drops. `BATON_FAULT_RUNS=N` repeats each scenario; `BATON_FAULT_REPORT=FILE` collects the figures.
@Suite(.serialized) struct DataCentreIsolationTests {
    /// DC1: primary 1, replica 2, node 1. DC2: replicas 3 and 4, node 2. DC3: replica 5, node 3.
    static let threeDataCentres = DataCentreLab.Layout(
        topology: "1 2:1 3:1 4:1 5:1", servers: [1: 1, 2: 1, 3: 2, 4: 2, 5: 3], nodes: [1, 2, 3])
    /// DC1: primary 1, replica 2, node 1. DC2: replicas 3 and 4, node 2. DC3: node 3 only (the mediator).
    static let twoDataCentresAndAMediator = DataCentreLab.Layout(
        topology: "1 2:1 3:1 4:1", servers: [1: 1, 2: 1, 3: 2, 4: 2], nodes: [1, 2, 3])

    /// How long the isolated leader may keep leading: CheckQuorum steps it down after one election timeout (about a
    /// second at 100 ms ticks); this bound only separates "steps down" from "never does".
    static let stepDownBound: Duration = .seconds(20)

    @Test func isolatingThePrimarysDataCentreFailsOverOnTheMajoritySideOnly() async throws {
        for run in 1...FaultRuns.count {
            try await isolateThePrimarysDataCentre(Self.threeDataCentres, scenario: "three-data-centres", run: run)
        }
    }

    @Test func twoDataCentresAndAMediatorFailOverWithoutTheIsolatedOne() async throws {
        for run in 1...FaultRuns.count {
            try await isolateThePrimarysDataCentre(Self.twoDataCentresAndAMediator, scenario: "two-data-centres-and-a-mediator", run: run)
        }
    }

    /// DC1 holds the primary and the Raft leader. Cut off, the DC1 node must step down and run nothing (no recovery,
    /// no hook, no policy); the other two elect a leader that promotes a replica outside DC1 and repoints the rest;
    /// after healing, the DC1 node follows and holds the same history.
    func isolateThePrimarysDataCentre(_ layout: DataCentreLab.Layout, scenario: String, run: Int) async throws {
        let lab = try await DataCentreLab.start(layout)
        defer { lab.tearDown() }
        try await lab.discoverAndWait(primary: 1)
        try await lab.makeLeader(0)
        let minority = 0
        let majority = [1, 2]
        let offsets = lab.logOffsets()

        let clock = ContinuousClock()
        let isolatedAt = clock.now
        try lab.lab.isolate(1)

        // The DC1 node steps down (CheckQuorum): it stops answering leader-check with 200.
        let stepDown = try await lab.waitUntilNotLeading(minority, since: isolatedAt, bound: Self.stepDownBound)
        try #require(
            stepDown != nil,
            "run \(run): the isolated DC1 node still leads \(Self.stepDownBound) after losing its quorum:\n\(lab.logs())")

        // The majority elects a leader and recovers.
        let newLeader = try #require(
            try await lab.waitForLeader(among: majority), "run \(run): no leader on the majority side:\n\(lab.logs())")
        let elected = clock.now - isolatedAt
        var recovery: TopologyRecoveryDocument?
        while clock.now - isolatedAt < .seconds(120) {
            if let done = await lab.recoveries(on: newLeader)?.first(where: { !$0.recoveryEndTimestamp.isEmpty }) {
                recovery = done
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let recovered = clock.now - isolatedAt
        let resolved = try #require(recovery, "run \(run): the majority did not recover:\n\(lab.logs())")
        #expect(resolved.isSuccessful, "run \(run): \(resolved.allErrors)")
        #expect(resolved.analysisEntry?.analyzedInstanceKey == lab.sandbox.key(1))
        #expect(resolved.processingNodeHostname == lab.nodes[newLeader].raftAddress)
        let successor = try #require(resolved.successorKey, "run \(run): no successor")
        let successorServer = try #require(layout.servers.keys.first { lab.sandbox.key($0) == successor })
        #expect(layout.servers[successorServer] != 1, "run \(run): promoted \(successor), inside the isolated DC1")

        // The new primary takes writes and the replicas outside DC1 replicate them.
        let followers = layout.servers.filter { $0.value != 1 && $0.key != successorServer }.map(\.key).sorted()
        try await lab.expectReplicates(from: successorServer, to: followers, run: run)

        // Nothing ran on the isolated node: no hook, and it never took office while cut off.
        let minorityHooksWhileIsolated = lab.nodes[minority].hookLines()
        #expect(minorityHooksWhileIsolated.isEmpty, "run \(run): the isolated node ran hooks: \(minorityHooksWhileIsolated)")
        let tookOffice = lab.log(of: minority, after: offsets[minority]).filter { $0.contains("Leading: recoveries") }
        #expect(tookOffice.isEmpty, "run \(run): the isolated node led while cut off: \(tookOffice)")
        let majorityHooks = lab.nodes[newLeader].hookLines()
        #expect(majorityHooks.contains { $0.hasPrefix("post-failover \(lab.sandbox.host(1)):\(lab.sandbox.port(1))") },
                "run \(run): \(majorityHooks)")

        // Heal: the DC1 node comes back as a follower with the replicated history, and nothing runs twice.
        try lab.lab.heal()
        var rejoined = false
        while clock.now - isolatedAt < recovered + .seconds(60) {
            if await lab.nodes[minority].raftState() == "Follower",
                let history = await lab.recoveries(on: minority), history.map(\.uid) == [resolved.uid]
            {
                rejoined = true
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(rejoined, "run \(run): the DC1 node did not rejoin as a follower holding the recovery:\n\(lab.logs())")
        try await Task.sleep(for: .seconds(3))
        var recoveriesByMinority = 0
        for index in lab.nodes.indices {
            let history = await lab.recoveries(on: index) ?? []
            #expect(history.map(\.uid) == [resolved.uid], "run \(run): node \(index + 1) holds \(history.map(\.uid))")
            recoveriesByMinority += history.filter { $0.processingNodeHostname == lab.nodes[minority].raftAddress }.count
        }
        #expect(recoveriesByMinority == 0)
        #expect(lab.nodes[minority].hookLines().isEmpty)

        // The confirmation verdicts the new leader logged before recovering (each new one; the isolated node has no vote).
        let rounds = lab.log(of: newLeader, after: offsets[newLeader]).filter { $0.contains("Failure confirmation") }
        FaultRuns.record([
            "scenario": scenario, "run": run, "minorityRecoveries": recoveriesByMinority,
            "confirmationVerdicts": rounds.count, "confirmations": rounds.map { String($0.suffix(400)) },
            "minorityHooks": lab.nodes[minority].hookLines().count,
            "stepDownSeconds": stepDown.map(\.seconds) ?? -1, "majorityLeaderSeconds": elected.seconds,
            "recoveredSeconds": recovered.seconds, "successor": "\(successor)",
        ])
    }

    /// The mirror case: the leader's data centre holds replicas only. Cut off, that node sees the primary dead (its
    /// replicas lost their source, the primary does not answer) — it must step down and do nothing, and the
    /// majority, which sees a healthy primary, must not fail over either.
    @Test func anIsolatedNodeThatSeesThePrimaryDeadDoesNothing() async throws {
        for run in 1...FaultRuns.count {
            let layout = Self.twoDataCentresAndAMediator
            let lab = try await DataCentreLab.start(layout)
            defer { lab.tearDown() }
            try await lab.discoverAndWait(primary: 1)
            try await lab.makeLeader(1)
            let isolated = 1
            let clock = ContinuousClock()
            let isolatedAt = clock.now
            try lab.lab.isolate(2)

            let stepDown = try await lab.waitUntilNotLeading(isolated, since: isolatedAt, bound: Self.stepDownBound)
            try #require(stepDown != nil, "run \(run): the isolated DC2 node still leads:\n\(lab.logs())")

            // The isolated node's own analysis calls the primary dead: exactly what it must not act on.
            var sawDeadPrimary = false
            while clock.now - isolatedAt < .seconds(60), !sawDeadPrimary {
                let analysis = try? await lab.nodes[isolated].api.decode(
                    APIResponse<[ReplicationAnalysis]>.self, "replication-analysis")
                sawDeadPrimary = analysis?.details?.contains {
                    $0.analyzedInstanceKey == lab.sandbox.key(1) && $0.analysis.rawValue.hasPrefix("DeadMaster")
                } ?? false
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(sawDeadPrimary, "run \(run): the isolated node never saw the primary as dead:\n\(lab.logs())")
            // Time for a wrong failover to happen, had anyone started one.
            try await Task.sleep(for: .seconds(5))
            try lab.lab.heal()
            try await Task.sleep(for: .seconds(5))
            var recoveries = 0
            for index in lab.nodes.indices {
                recoveries += await lab.recoveries(on: index)?.count ?? 0
                #expect(lab.nodes[index].hookLines().isEmpty, "run \(run): node \(index + 1) ran hooks")
            }
            #expect(recoveries == 0, "run \(run): a recovery ran although the primary never died:\n\(lab.logs())")
            #expect(await lab.nodes[isolated].raftState() == "Follower")
            // The replicas in DC2 replicate from the primary again.
            try await lab.expectReplicates(from: 1, to: [3, 4], run: run)
            FaultRuns.record([
                "scenario": "isolated-node-sees-dead-primary", "run": run, "recoveries": recoveries,
                "stepDownSeconds": stepDown.map(\.seconds) ?? -1,
            ])
        }
    }
}

extension Duration {
    /// Seconds, rounded to milliseconds, for reports.
    var seconds: Double {
        let (whole, attoseconds) = components
        return (Double(whole) * 1000 + Double(attoseconds) / 1e15).rounded() / 1000
    }
}
