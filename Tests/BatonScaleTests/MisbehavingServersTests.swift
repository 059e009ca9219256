import BatonCore
import BatonTestSupport
import Foundation
import Testing

/// Servers that answer garbage, half answers, or nothing at all, watched by a real `baton serve`: each shows a clear
/// `LastCheckError`, the healthy servers beside them keep being checked every poll, the daemon keeps answering, and
/// nothing it knew is lost. No recovery filter is set: the test is about the prober and the daemon, not failover.
@Suite(.serialized) struct MisbehavingServersTests {
    @Test(.timeLimit(.minutes(5)))
    func garbagePartialAndHungServersDoNotHurtTheDaemonOrTheOthers() async throws {
        let daemon = try BatonDaemon(configuration: [
            "MySQLTopologyUser": "baton", "MySQLTopologyPassword": "baton_pw", "InstancePollSeconds": 1,
            "DiscoverByShowSlaveHosts": true, "MySQLConnectTimeoutSeconds": 1, "MySQLDiscoveryReadTimeoutSeconds": 2,
        ])
        defer { daemon.tearDown() }
        let api = DaemonAPI(base: daemon.apiURL)
        #expect(await api.waitUntilUp(timeout: .seconds(60)), "\(daemon.log().suffix(3000))")
        let fleet = try await SimulatedFleet.start(
            try FleetTopology.generated(clusters: 10, replicasPerCluster: 2, flavor: .mariadb))
        do {
            try await run(daemon: daemon, api: api, fleet: fleet)
        } catch {
            await fleet.shutdown()
            throw error
        }
        await fleet.shutdown()
    }

    func run(daemon: BatonDaemon, api: DaemonAPI, fleet: SimulatedFleet) async throws {
        for primary in fleet.initialPrimaries {
            let (status, body) = try await api.get("discover/\(primary.hostname)/\(primary.port)")
            try #require(status == 200, "\(String(decoding: body, as: UTF8.self))")
        }
        let total = fleet.instances.count
        let (_, discovered) = try await api.poll([InstanceDocument].self, "all-instances", timeout: .seconds(60)) {
            $0.count == total && $0.allSatisfy(\.isLastCheckValid)
        }
        try #require(discovered, "\(daemon.log().suffix(3000))")

        // Replicas misbehave (a primary answering garbage would be a failure to detect, not bad input).
        let replicas = fleet.clusterNames.flatMap { fleet.keys(inCluster: $0).dropFirst() }
        let garbage = Array(replicas[0..<3])
        let partial = Array(replicas[3..<6])
        let hung = Array(replicas[6..<9])
        for key in garbage { try fleet.sendGarbage(key) }
        for key in partial { try fleet.sendPartialAnswers(key) }
        for key in hung { try fleet.hang(key) }
        let faulty = Set(garbage + partial + hung)

        // Every faulty server turns not-valid with an error, while every healthy one stays valid and fresh.
        let (during, reported) = try await api.poll([InstanceDocument].self, "all-instances", timeout: .seconds(60)) {
            all in
            all.count == total
                && all.allSatisfy { faulty.contains($0.key) ? !$0.isLastCheckValid && !$0.lastCheckError.isEmpty : $0.isLastCheckValid }
        }
        let summary = (during ?? []).filter { faulty.contains($0.key) }.map { "\($0.key): \($0.lastCheckError)" }
        #expect(reported, "\(summary)\n\(daemon.log().suffix(3000))")
        // Ten more seconds of it: the healthy ones are still checked every poll.
        try await Task.sleep(for: .seconds(10))
        let later = try await api.decode([InstanceDocument].self, "all-instances")
        let stale = later.filter { !faulty.contains($0.key) && !($0.isLastCheckValid && ($0.secondsSinceLastSeen.valid ? $0.secondsSinceLastSeen.int64 : 99) <= 3) }
        #expect(stale.isEmpty, "healthy servers not checked while others misbehave: \(stale.map(\.key))")
        #expect(daemon.isRunning)
        let (health, _) = try await api.get("health")
        #expect(health == 200)

        // The faults end: everything is valid again, and the daemon still knows every server.
        for key in faulty { try fleet.clearFaults(key) }
        let (after, recovered) = try await api.poll([InstanceDocument].self, "all-instances", timeout: .seconds(60)) {
            $0.count == total && $0.allSatisfy(\.isLastCheckValid)
        }
        #expect(recovered, "\((after ?? []).filter { !$0.isLastCheckValid }.map(\.key))")
        let recoveries = try await api.decode([TopologyRecoveryDocument].self, "audit-recovery")
        #expect(recoveries.isEmpty)
    }
}
