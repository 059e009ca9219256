import BatonCore
import BatonMySQL
import BatonTestSupport
import Foundation
import Testing

/// The statements of Baton's recovery plans, sent the way the engine's executor sends them, change simulated
/// servers as they change real ones.
@Suite struct FleetRecoveryPlanTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Probes `keys` and builds resolved instances whose last check is valid.
    func instances(_ keys: [InstanceKey]) async throws -> [Instance] {
        var instances: [Instance] = []
        for key in keys {
            let outcome = await FleetClient.probe(key, options: .init(discoverByShowReplicaHosts: true))
            guard let facts = outcome.facts else { throw Failure(description: "probe of \(key): \(String(describing: outcome.error))") }
            var instance = Instance(key: key)
            instance.facts = facts
            let now = Date()
            instance.lastAttempted = now
            instance.lastChecked = now
            instance.lastSeen = now
            instance.sourceKey = facts.replication?.sourceKey
            instances.append(instance)
        }
        return TopologyResolver.resolve(instances)
    }

    /// Runs the plan's steps as `RecoveryExecutor` does: statements in order, bounded polls of the status query.
    func run(_ plan: RecoveryPlan) async -> [String: String] {
        var outcomes: [String: String] = [:]
        for (index, step) in plan.steps.enumerated() {
            let name = "\(index) \(step.name) \(step.target)"
            do {
                let connection = try await FleetClient.connect(step.target)
                defer { Task { await connection.close() } }
                switch step {
                case .awaitRelayLogApplied(_, let query, _), .awaitReplicating(_, let query, _):
                    var done = false
                    for _ in 0..<50 where !done {
                        let row = try await connection.query(query).rows.first
                        if case .awaitRelayLogApplied = step {
                            done = row.map {
                                ($0["Master_Log_File"] ?? $0["Source_Log_File"]) == ($0["Relay_Master_Log_File"] ?? $0["Relay_Source_Log_File"])
                                    && ($0["Read_Master_Log_Pos"] ?? $0["Read_Source_Log_Pos"]) == ($0["Exec_Master_Log_Pos"] ?? $0["Exec_Source_Log_Pos"])
                            } ?? true
                        } else {
                            done = row.map {
                                ($0["Slave_IO_Running"] ?? $0["Replica_IO_Running"]) == "Yes"
                                    && ($0["Slave_SQL_Running"] ?? $0["Replica_SQL_Running"]) == "Yes"
                            } ?? false
                        }
                        if !done { try await Task.sleep(for: .milliseconds(20)) }
                    }
                    outcomes[name] = done ? "ok" : "timeout"
                default:
                    for statement in step.statements { _ = try await connection.query(statement) }
                    outcomes[name] = "ok"
                }
            } catch {
                outcomes[name] = "failed: \(error)"
            }
        }
        return outcomes
    }

    @Test(arguments: [(SimulatedFlavor.mariadb, "10.11.9-MariaDB-log"), (.mysql, "8.0.39"), (.mysql, "8.4.2"), (.mysql, "8.0.20")])
    func aDeadPrimaryPlanPromotesOneReplicaAndRepointsTheOthers(flavor: SimulatedFlavor, version: String) async throws {
        let topology = try FleetTopology.generated(clusters: 1, replicasPerCluster: 3, flavor: flavor, version: version)
        try await SimulatedFleet.with(topology) { fleet in
            let keys = fleet.keys(inCluster: "c0001")
            let primaryKey = keys[0]
            try fleet.write(to: primaryKey, transactions: 3)
            let all = try await instances(keys)
            try await fleet.kill(primaryKey)

            let failed = all[0]
            let replicas = Array(all.dropFirst())
            let ranking = CandidateRanking.rank(failed: failed, replicas: replicas, constraints: .init(), pollSeconds: 5)
            let plan = try RecoveryPlan.deadPrimary(failed: failed, replicas: replicas, ranking: ranking)
            let outcomes = await run(plan)
            let failures = outcomes.filter { $0.value != "ok" && !$0.key.contains("set-read-only") }
            #expect(failures.isEmpty, "\(failures)")

            let candidate = try #require(plan.candidate)
            #expect(try fleet.status(candidate).source == nil)
            #expect(try !fleet.status(candidate).readOnly)
            for follower in plan.followers {
                let status = try fleet.status(follower)
                #expect(status.source == candidate)
                #expect(status.ioRunning == "Yes" && status.sqlRunning == true)
            }
            try fleet.write(to: candidate, transactions: 2)
            let executed = try fleet.status(candidate).executedGTIDSet
            for follower in plan.followers {
                #expect(try fleet.status(follower).executedGTIDSet == executed)
            }
            #expect(fleet.journal.filter { $0.kind == .replicationReset }.map(\.instance) == [candidate])
        }
    }
}
