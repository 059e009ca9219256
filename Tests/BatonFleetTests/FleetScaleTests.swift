import BatonCore
import BatonMySQL
import BatonTestSupport
import Testing

/// Hundreds of clusters served by one fleet at once, each server probed by Baton's prober.
@Suite struct FleetScaleTests {
    @Test func fifteenHundredServersAreAllProbedSuccessfullyOnce() async throws {
        let topology = try FleetTopology.generated(clusters: 300, replicasPerCluster: 4, flavor: .mariadb)
        try await SimulatedFleet.with(topology) { fleet in
            let statuses = fleet.instances
            #expect(statuses.count == 1_500)
            #expect(Set(statuses.map(\.key)).count == 1_500)
            let keys = statuses.map(\.key)
            let results = await withTaskGroup(of: (InstanceKey, ProbeOutcome).self) { group in
                var next = 0
                var results: [InstanceKey: ProbeOutcome] = [:]
                // At most 100 probes in flight, as a prober with DiscoveryMaxConcurrency 100 would run them.
                while next < min(100, keys.count) {
                    let key = keys[next]
                    group.addTask { (key, await FleetClient.probe(key, options: .init(discoverByShowReplicaHosts: true))) }
                    next += 1
                }
                for await (key, outcome) in group {
                    results[key] = outcome
                    if next < keys.count {
                        let key = keys[next]
                        group.addTask { (key, await FleetClient.probe(key, options: .init(discoverByShowReplicaHosts: true))) }
                        next += 1
                    }
                }
                return results
            }
            let failed = results.filter { $0.value.error != nil }
            #expect(results.count == 1_500)
            #expect(failed.isEmpty, "\(failed.count) probes failed, e.g. \(String(describing: failed.first?.value.error))")
            let primaries = Set(fleet.initialPrimaries)
            for (key, outcome) in results {
                let facts = try #require(outcome.facts)
                if primaries.contains(key) {
                    #expect(facts.replicaKeys.count == 4)
                } else {
                    #expect(facts.replication?.isReplicating == true)
                    #expect(primaries.contains(try #require(facts.replication?.sourceKey)))
                }
            }
        }
    }
}
