import BatonCore
import BatonEngine
import BatonStore
import BatonTestSupport
import Foundation
import Logging
import Testing

@Suite struct TopologyMonitorTests {
    static func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "10.0.0.1", port: port) }

    /// 1 ← 2, 1 ← 3, 1 ← 4 ← 5, as the servers would report themselves.
    static func scriptedTopology() -> ScriptedProbing {
        let probing = ScriptedProbing()
        probing.set(key(1), .facts(.mariaDB(serverID: 1, replicas: [key(2), key(3), key(4)])))
        probing.set(key(2), .facts(.mariaDB(serverID: 2, source: key(1))))
        probing.set(key(3), .facts(.mariaDB(serverID: 3, source: key(1))))
        probing.set(key(4), .facts(.mariaDB(serverID: 4, source: key(1), replicas: [key(5)])))
        probing.set(key(5), .facts(.mariaDB(serverID: 5, source: key(4))))
        return probing
    }

    static func monitor(
        _ probing: ScriptedProbing, database: BatonDatabase? = nil, poll: Duration = .seconds(60),
        resolution: HostnameResolution = .none, now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> TopologyMonitor {
        try TopologyMonitor(
            database: database ?? BatonDatabase(), probing: probing,
            configuration: EngineConfiguration(
                pollInterval: poll, hostnameResolution: resolution, flushInterval: .milliseconds(20),
                schedulerTick: .milliseconds(5)),
            logger: Logger(label: "test"), now: now)
    }

    /// Runs the monitor's loops while `body` runs.
    static func running<T: Sendable>(_ monitor: TopologyMonitor, _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await monitor.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func discoverOfOneReplicaCrawlsTheWholeTopology() async throws {
        let monitor = try Self.monitor(Self.scriptedTopology())
        try await Self.running(monitor) {
            let instance = try await monitor.discover(Self.key(5))
            #expect(instance.key == Self.key(5))
            let complete = await Self.eventually { monitor.registry.all().filter(\.hasBeenSeen).count == 5 }
            #expect(complete)
        }
        let all = Dictionary(uniqueKeysWithValues: monitor.registry.all().map { ($0.key, $0) })
        #expect(all.values.allSatisfy { $0.clusterName == Self.key(1).description })
        #expect(all[Self.key(5)]?.replicationDepth == 2)
        #expect(all[Self.key(5)]?.sourceKey == Self.key(4))
    }

    @Test func discoverOfAnUnreachableNewInstanceFailsAndKeepsNothing() async throws {
        let monitor = try Self.monitor(ScriptedProbing())
        await #expect(throws: DiscoveryError.self) { try await monitor.discover(Self.key(9)) }
        #expect(monitor.registry.count == 0)
    }

    @Test func aFailedProbeMakesTheLastCheckInvalidAndKeepsTheLastFacts() async throws {
        let probing = Self.scriptedTopology()
        let monitor = try Self.monitor(probing, poll: .milliseconds(50))
        try await Self.running(monitor) {
            _ = try await monitor.discover(Self.key(2))
            probing.set(Self.key(2), .fail("connection refused"))
            let invalid = await Self.eventually {
                monitor.registry.instance(Self.key(2))?.isLastCheckValid(pollSeconds: 0) == false
            }
            #expect(invalid)
        }
        let instance = try #require(monitor.registry.instance(Self.key(2)))
        #expect(instance.lastError.contains("connection refused"))
        #expect(instance.facts.serverID == 2)
    }

    @Test func aHangingServerNeverGetsASecondProbe() async throws {
        let probing = Self.scriptedTopology()
        probing.set(Self.key(3), .hang)
        let monitor = try Self.monitor(probing, poll: .milliseconds(10))
        try await Self.running(monitor) {
            monitor.discoverInBackground([Self.key(1), Self.key(3)])
            // The other instances keep being probed many times while one hangs.
            let busy = await Self.eventually { probing.probeCount(Self.key(2)) >= 10 }
            #expect(busy)
        }
        #expect(probing.probeCount(Self.key(3)) == 1)
        #expect(probing.maxConcurrentProbesOfOneInstance == 1)
    }

    @Test func forgetRemovesAndReleasesTheConnection() async throws {
        let probing = Self.scriptedTopology()
        let monitor = try Self.monitor(probing)
        _ = try await monitor.discover(Self.key(2))
        #expect(monitor.forget(Self.key(2)))
        #expect(!monitor.forget(Self.key(2)))
        #expect(monitor.registry.instance(Self.key(2)) == nil)
        let released = await Self.eventually { probing.released.contains(Self.key(2)) }
        #expect(released)
    }

    @Test func resultsSurviveARestart() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("baton-monitor-\(UUID())/db.sqlite3").path
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        do {
            let monitor = try Self.monitor(Self.scriptedTopology(), database: try BatonDatabase(path: path))
            _ = try await monitor.discover(Self.key(2))
            monitor.flush()
        }
        let restarted = try Self.monitor(ScriptedProbing(), database: try BatonDatabase(path: path))
        let instance = try #require(restarted.registry.instance(Self.key(2)))
        #expect(instance.facts.serverID == 2)
        #expect(instance.hasBeenSeen)
    }

    @Test func hostnameResolutionRenamesAndLinksReplicasThroughTheAlias() async throws {
        // The primary is reached as 10.0.0.1 but calls itself db-1; its replica names it by address.
        let probing = ScriptedProbing()
        let primaryByAddress = Self.key(1)
        let primaryByName = InstanceKey(hostname: "db-1", port: 1)
        let replica = InstanceKey(hostname: "db-2", port: 2)
        probing.set(primaryByAddress, .facts(.mariaDB(serverID: 1, replicas: [replica], reportHost: "db-1")))
        probing.set(primaryByName, .facts(.mariaDB(serverID: 1, replicas: [replica], reportHost: "db-1")))
        probing.set(replica, .facts(.mariaDB(serverID: 2, source: primaryByAddress, reportHost: "db-2")))
        let monitor = try Self.monitor(probing, resolution: .reportHost)
        let discovered = try await monitor.discover(primaryByAddress)
        #expect(discovered.key == primaryByName)
        _ = try await monitor.discover(replica)
        #expect(monitor.registry.instance(primaryByAddress) == nil)
        #expect(monitor.registry.instance(replica)?.sourceKey == primaryByName)
        #expect(monitor.registry.instance(replica)?.clusterName == primaryByName.description)
        #expect(monitor.registry.resolve(primaryByAddress) == primaryByName)
    }

    @Test func aConnectionClosedByTheServerIsAFailedCheckAtOnceAndItsReplicasAreReprobed() async throws {
        let probing = Self.scriptedTopology()
        // A long poll interval: anything probed again below was probed because of the loss, not the schedule.
        let monitor = try Self.monitor(probing, poll: .seconds(3600))
        try await Self.running(monitor) {
            _ = try await monitor.discover(Self.key(1))
            let crawled = await Self.eventually { monitor.registry.all().filter(\.hasBeenSeen).count == 5 }
            try #require(crawled)
            let before = (probing.probeCount(Self.key(2)), probing.probeCount(Self.key(5)))
            probing.set(Self.key(1), .fail("connection refused"))
            probing.loseConnection(Self.key(1))
            let invalid = await Self.eventually {
                monitor.registry.instance(Self.key(1))?.isLastCheckValid(pollSeconds: 3600) == false
            }
            #expect(invalid)
            let replicasReprobed = await Self.eventually {
                probing.probeCount(Self.key(2)) > before.0 && probing.probeCount(Self.key(3)) > 1
            }
            #expect(replicasReprobed)
            // 5 replicates from 4, not from the failed primary: it has no reason to be probed again.
            #expect(probing.probeCount(Self.key(5)) == before.1)
        }
    }

    @Test func aFailedPrimaryIsRetriedOnceNotInALoop() async throws {
        let probing = Self.scriptedTopology()
        // Frozen time: the once-a-second retry allowance never renews and nothing falls due by the poll interval,
        // so every probe below is one the failure caused.
        let frozen = Date(timeIntervalSince1970: 1_700_000_000)
        let monitor = try Self.monitor(probing, poll: .seconds(3600), now: { frozen })
        try await Self.running(monitor) {
            for port in 1...3 { _ = try await monitor.discover(Self.key(port)) }
            probing.set(Self.key(1), .fail("connection refused"))
            monitor.probeSoon([Self.key(1)])
            // The requested probe, then one immediate retry.
            let retried = await Self.eventually { probing.probeCount(Self.key(1)) >= 3 }
            #expect(retried)
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(probing.probeCount(Self.key(1)) == 3, "a dead primary must not be probed in a loop")
    }
}
