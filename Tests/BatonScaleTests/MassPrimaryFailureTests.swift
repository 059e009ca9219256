import BatonCore
import BatonTestSupport
import Foundation
import NIOPosix
import Testing

/// A hundred primaries die at once: a real `baton serve` process recovers every one of those clusters, and each
/// exactly once. The servers are simulated (`SimulatedFleet`, MariaDB with GTID), so no MariaDB is needed.
@Suite(.serialized) struct MassPrimaryFailureTests {
    struct SetupFailure: Error, CustomStringConvertible {
        var description: String
    }

    static let clusters = 100

    /// Clusters `c0001`… of one primary and 2, 3 or 4 replicas (in turn), all on 127.0.0.1 with free ports.
    static func topology() throws -> FleetTopology {
        var topology = try FleetTopology.generated(clusters: clusters, replicasPerCluster: 4, flavor: .mariadb)
        for index in topology.clusters.indices {
            topology.clusters[index].instances = Array(topology.clusters[index].instances.prefix(1 + 2 + index % 3))
        }
        return topology
    }

    /// Starts a daemon that recovers every cluster; retried on another port if the first one is taken.
    static func startDaemon() async throws -> BatonDaemon {
        var lastLog = ""
        for _ in 0..<3 {
            let daemon = try BatonDaemon(configuration: [
                "MySQLTopologyUser": "baton", "MySQLTopologyPassword": "baton_pw", "InstancePollSeconds": 1,
                "RecoverMasterClusterFilters": ["*"], "RecoverIntermediateMasterClusterFilters": ["*"],
                // Every simulated server shares 127.0.0.1: replicas are found by their report_port.
                "DiscoverByShowSlaveHosts": true,
            ])
            if await DaemonAPI(base: daemon.apiURL).waitUntilUp(timeout: .seconds(60)) { return daemon }
            lastLog = daemon.log()
            daemon.tearDown()
        }
        throw SetupFailure(description: "baton serve did not come up:\n\(lastLog.suffix(4000))")
    }

    @Test(.timeLimit(.minutes(15)))
    func aHundredPrimariesKilledAtOnceAreEachRecoveredExactlyOnce() async throws {
        // The daemon binds first: the fleet then picks ports around it.
        let daemon = try await Self.startDaemon()
        defer { daemon.tearDown() }
        let fleet = try await SimulatedFleet.start(Self.topology())
        do {
            try await run(daemon: daemon, fleet: fleet)
        } catch {
            await fleet.shutdown()
            throw error
        }
        await fleet.shutdown()
    }

    func run(daemon: BatonDaemon, fleet: SimulatedFleet) async throws {
        let api = DaemonAPI(base: daemon.apiURL)
        let primaries = fleet.initialPrimaries
        let clusterOfPrimary = Dictionary(uniqueKeysWithValues: zip(primaries, fleet.clusterNames))
        let replicasOf = Dictionary(
            uniqueKeysWithValues: fleet.clusterNames.map { ($0, Array(fleet.keys(inCluster: $0).dropFirst())) })
        let total = fleet.instances.count
        #expect(primaries.count == Self.clusters)
        #expect(total == Self.clusters + replicasOf.values.map(\.count).reduce(0, +))

        // Discovery: each primary is discovered and the crawl finds its replicas. Ready when every server is known,
        // checked, and in its primary's cluster.
        for primary in primaries {
            let (status, body) = try await api.get("discover/\(primary.hostname)/\(primary.port)")
            try #require(status == 200, "discover \(primary): \(String(decoding: body, as: UTF8.self))")
        }
        let expectedCluster = Dictionary(
            uniqueKeysWithValues: fleet.clusterNames.flatMap { name in
                fleet.keys(inCluster: name).map { ($0, fleet.keys(inCluster: name)[0].description) }
            })
        let (known, discovered) = try await api.poll([InstanceDocument].self, "all-instances", timeout: .seconds(180)) {
            all in
            all.count == total && all.allSatisfy { $0.isLastCheckValid && expectedCluster[$0.key] == $0.clusterName }
        }
        if !discovered {
            let all = known ?? []
            let invalid = all.filter { !$0.isLastCheckValid }.map(\.key.description).prefix(5)
            let misplaced = all.filter { expectedCluster[$0.key] != $0.clusterName }
                .map { "\($0.key) in \($0.clusterName)" }.prefix(5)
            let log = String(daemon.log().suffix(4000))
            let message = "discovery incomplete: \(all.count) of \(total) known; not valid: "
                + "\(invalid.joined(separator: ", ")); misplaced: \(misplaced.joined(separator: ", "))\n\(log)"
            Issue.record("\(message)")
            return
        }

        // All hundred primaries die at once.
        let journalBefore = fleet.journal.count
        try await fleet.kill(primaries)

        let (last, resolved) = await eventuallyValue(timeout: .seconds(480), interval: .milliseconds(500)) {
            try? await api.allRecoveries()
        } until: { recoveries in
            recoveries.count >= Self.clusters && recoveries.allSatisfy { !$0.recoveryEndTimestamp.isEmpty }
        }
        let recoveries = last ?? []
        let resolvedCount = recoveries.filter { !$0.recoveryEndTimestamp.isEmpty }.count
        let log = String(daemon.log().suffix(4000))
        #expect(resolved, "\(resolvedCount) of \(Self.clusters) recoveries resolved (\(recoveries.count) registered):\n\(log)")
        guard resolved else { return }

        // Exactly one recovery per failed primary and per cluster, each successful.
        let byFailed = Dictionary(grouping: recoveries) { $0.analysisEntry?.analyzedInstanceKey }
        #expect(recoveries.count == Self.clusters)
        #expect(Set(byFailed.keys) == Set(primaries.map { Optional($0) }))
        let repeated = byFailed.filter { $0.value.count > 1 }.keys.map { String(describing: $0) }
        #expect(repeated.isEmpty, "recovered more than once: \(repeated)")
        let byCluster = Dictionary(grouping: recoveries) { $0.analysisEntry?.clusterDetails.clusterName ?? "" }
        #expect(byCluster.count == Self.clusters && byCluster.values.allSatisfy { $0.count == 1 })
        let failedRecoveries = recoveries.filter { !$0.isSuccessful }
        let firstErrors = failedRecoveries.first?.allErrors ?? []
        #expect(failedRecoveries.isEmpty, "\(failedRecoveries.count) failed, e.g. \(firstErrors)")

        // In the simulator: each successor is a former replica of its cluster, alive, writable and without a
        // source; the cluster's other replicas replicate from it; it is the only server of its cluster promoted.
        for recovery in recoveries {
            guard let failed = recovery.analysisEntry?.analyzedInstanceKey, let cluster = clusterOfPrimary[failed],
                let successor = recovery.successorKey
            else {
                Issue.record("recovery \(String(recovery.id)) has no failed primary of the fleet or no successor")
                continue
            }
            let replicas = replicasOf[cluster] ?? []
            #expect(replicas.contains(successor), "\(cluster): successor \(successor) is not one of its replicas")
            let promoted = try fleet.status(successor)
            #expect(promoted.alive && !promoted.readOnly && promoted.source == nil, "\(cluster): \(promoted)")
            #expect(recovery.lostReplicas.isEmpty, "\(cluster): lost \(recovery.lostReplicas)")
            for replica in replicas where replica != successor {
                let status = try fleet.status(replica)
                #expect(
                    status.source == successor && status.ioRunning == "Yes" && status.sqlRunning == true,
                    "\(cluster): \(replica) does not replicate from \(successor): \(status)")
            }
        }
        let promotions = Dictionary(
            grouping: fleet.journal.dropFirst(journalBefore).filter { $0.kind == .replicationReset }
        ) { $0.cluster ?? "" }
        #expect(promotions.count == Self.clusters && promotions.values.allSatisfy { $0.count == 1 }, "\(promotions)")

        // Nothing starts a second recovery afterwards.
        try await Task.sleep(for: .seconds(5))
        let later = try await api.allRecoveries()
        #expect(later.count == Self.clusters, "\(later.count - Self.clusters) more recoveries after the first hundred")
        #expect(later.allSatisfy { !$0.recoveryEndTimestamp.isEmpty })
        let promotionsLater = fleet.journal.dropFirst(journalBefore).filter { $0.kind == .replicationReset }.count
        #expect(promotionsLater == Self.clusters)
    }
}
