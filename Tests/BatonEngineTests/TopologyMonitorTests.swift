import BatonCore
import BatonEngine
import BatonStore
import BatonTestSupport
import Foundation
import Logging
import Testing

/// The monitor on a `MockClock`: time moves only when a test advances it, and the tests wait for events (probes,
/// results, sleepers), never for time.
@Suite(.timeLimit(.minutes(1))) struct TopologyMonitorTests {
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
        flush: Duration = .seconds(3600), resolution: HostnameResolution = .none, clock: MockClock = MockClock()
    ) throws -> TopologyMonitor {
        try TopologyMonitor(
            database: database ?? BatonDatabase(), probing: probing,
            configuration: EngineConfiguration(
                pollInterval: poll, hostnameResolution: resolution, flushInterval: flush,
                schedulerTick: .milliseconds(5)),
            logger: Logger(label: "test"), clock: clock, now: { clock.wallNow })
    }

    /// Runs the monitor's loops while `body` runs.
    static func running<T: Sendable>(_ monitor: TopologyMonitor, _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await monitor.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Returns once `condition` holds, looking again each time `signal` changes: waits for events, not time.
    static func until(_ signal: ChangeSignal, _ condition: () -> Bool) async {
        while true {
            let seen = signal.generation
            if condition() { return }
            await signal.wait(after: seen)
        }
    }

    /// Returns once no probe runs (but `hanging` ones) and the scheduler sleeps beside the writer: whatever was
    /// asked for is done.
    static func idle(_ probing: ScriptedProbing, _ clock: MockClock, hanging: Int = 0) async {
        await until(probing.events) { probing.runningProbes == hanging }
        await clock.waitForSleepers(2)
    }

    static func seenCount(_ monitor: TopologyMonitor) -> Int { monitor.registry.all().filter(\.hasBeenSeen).count }

    @Test func discoverOfOneReplicaCrawlsTheWholeTopology() async throws {
        let clock = MockClock()
        let monitor = try Self.monitor(Self.scriptedTopology(), clock: clock)
        try await Self.running(monitor) {
            let instance = try await monitor.discover(Self.key(5))
            #expect(instance.key == Self.key(5))
            await Self.until(monitor.registry.failureSignalChanges) { Self.seenCount(monitor) == 5 }
        }
        #expect(clock.now == MockClock.Instant(offset: .zero), "crawled at once, not at the next poll")
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

    @Test func theSchedulerSleepsUntilTheNextInstanceFallsDue() async throws {
        let clock = MockClock()
        let probing = ScriptedProbing()
        probing.set(Self.key(7), .facts(.mariaDB(serverID: 7)))
        let monitor = try Self.monitor(probing, poll: .seconds(5), clock: clock)
        try await Self.running(monitor) {
            _ = try await monitor.discover(Self.key(7))
            await Self.idle(probing, clock)
            #expect(clock.nextDeadline == MockClock.Instant(offset: .seconds(5)))
            // The scheduler may have probed it too, had it looked between registration and discovery.
            let probed = probing.probeCount(Self.key(7))
            clock.advance(by: .milliseconds(4999))
            #expect(probing.probeCount(Self.key(7)) == probed, "not due before a poll interval")
            clock.advance(by: .milliseconds(1))
            await Self.until(probing.events) { probing.probeCount(Self.key(7)) == probed + 1 }
            await Self.idle(probing, clock)
            #expect(clock.nextDeadline == MockClock.Instant(offset: .seconds(10)))
        }
    }

    @Test func probeSoonWakesTheSchedulerWithoutWaitingForTheDeadline() async throws {
        let clock = MockClock()
        let probing = ScriptedProbing()
        probing.set(Self.key(7), .facts(.mariaDB(serverID: 7)))
        let monitor = try Self.monitor(probing, poll: .seconds(3600), clock: clock)
        try await Self.running(monitor) {
            _ = try await monitor.discover(Self.key(7))
            await Self.idle(probing, clock)
            let probed = probing.probeCount(Self.key(7))
            monitor.probeSoon([Self.key(7)])
            await Self.until(probing.events) { probing.probeCount(Self.key(7)) == probed + 1 }
        }
        #expect(clock.now == MockClock.Instant(offset: .zero))
    }

    @Test func aFailedProbeMakesTheLastCheckInvalidAndKeepsTheLastFacts() async throws {
        let clock = MockClock()
        let probing = Self.scriptedTopology()
        let monitor = try Self.monitor(probing, poll: .milliseconds(50), clock: clock)
        try await Self.running(monitor) {
            _ = try await monitor.discover(Self.key(2))
            probing.set(Self.key(2), .fail("connection refused"))
            clock.advance(by: .milliseconds(50))
            await Self.until(monitor.registry.failureSignalChanges) {
                monitor.registry.instance(Self.key(2))?.isLastCheckValid(pollSeconds: 0) == false
            }
        }
        let instance = try #require(monitor.registry.instance(Self.key(2)))
        #expect(instance.lastError.contains("connection refused"))
        #expect(instance.facts.serverID == 2)
    }

    @Test func aHangingServerNeverGetsASecondProbe() async throws {
        let clock = MockClock()
        let probing = Self.scriptedTopology()
        probing.set(Self.key(3), .hang)
        let monitor = try Self.monitor(probing, poll: .milliseconds(10), clock: clock)
        try await Self.running(monitor) {
            monitor.discoverInBackground([Self.key(1), Self.key(3)])
            await Self.until(monitor.registry.failureSignalChanges) { Self.seenCount(monitor) == 4 }
            // The other instances keep being probed, poll after poll, while one hangs.
            let before = probing.probeCount(Self.key(2))
            for round in 1...10 {
                await Self.idle(probing, clock, hanging: 1)
                clock.advance(by: .milliseconds(10))
                await Self.until(probing.events) { probing.probeCount(Self.key(2)) >= before + round }
            }
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
        await Self.until(probing.events) { probing.released.contains(Self.key(2)) }
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

    @Test func resultsAreWrittenBehindEveryFlushInterval() async throws {
        let clock = MockClock()
        let database = try BatonDatabase()
        let probing = ScriptedProbing()
        probing.set(Self.key(7), .facts(.mariaDB(serverID: 7)))
        let monitor = try Self.monitor(probing, database: database, flush: .seconds(1), clock: clock)
        try await Self.running(monitor) {
            _ = try await monitor.discover(Self.key(7))
            await Self.idle(probing, clock)
            #expect(try database.loadInstances().instances.isEmpty)
            clock.advance(by: .seconds(1))
            // The writer flushed, then went back to sleep.
            await clock.waitForSleepers(2)
            #expect(try database.loadInstances().instances.map(\.key) == [Self.key(7)])
        }
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
        let clock = MockClock()
        let probing = Self.scriptedTopology()
        // A long poll interval, and time that moves only a second: anything probed again was probed because of the
        // loss.
        let monitor = try Self.monitor(probing, poll: .seconds(3600), clock: clock)
        try await Self.running(monitor) {
            _ = try await monitor.discover(Self.key(1))
            await Self.until(monitor.registry.failureSignalChanges) { Self.seenCount(monitor) == 5 }
            await Self.idle(probing, clock)
            // A second later (the loss must be later than the last success to count), still far from a poll.
            clock.advance(by: .seconds(1))
            let before = (probing.probeCount(Self.key(2)), probing.probeCount(Self.key(5)))
            probing.set(Self.key(1), .fail("connection refused"))
            probing.loseConnection(Self.key(1))
            await Self.until(monitor.registry.failureSignalChanges) {
                monitor.registry.instance(Self.key(1))?.isLastCheckValid(pollSeconds: 3600) == false
            }
            await Self.until(probing.events) {
                probing.probeCount(Self.key(2)) > before.0 && probing.probeCount(Self.key(3)) > 1
            }
            await Self.idle(probing, clock)
            // 5 replicates from 4, not from the failed primary: it has no reason to be probed again.
            #expect(probing.probeCount(Self.key(5)) == before.1)
        }
    }

    @Test func aFailedPrimaryIsRetriedOnceNotInALoop() async throws {
        let clock = MockClock()
        let probing = Self.scriptedTopology()
        // Time stands still: the once-a-second retry allowance never renews and nothing falls due by the poll
        // interval, so every probe below is one the failure caused.
        let monitor = try Self.monitor(probing, poll: .seconds(3600), clock: clock)
        try await Self.running(monitor) {
            for port in 1...3 { _ = try await monitor.discover(Self.key(port)) }
            await Self.idle(probing, clock)
            let before = probing.probeCount(Self.key(1))
            probing.set(Self.key(1), .fail("connection refused"))
            monitor.probeSoon([Self.key(1)])
            // The requested probe, then one immediate retry.
            await Self.until(probing.events) { probing.probeCount(Self.key(1)) >= before + 2 }
            await Self.idle(probing, clock)
            #expect(probing.probeCount(Self.key(1)) == before + 2, "a dead primary must not be probed in a loop")
            // A second later the allowance renews: the next failure is retried once more.
            clock.advance(by: .seconds(1))
            monitor.probeSoon([Self.key(1)])
            await Self.until(probing.events) { probing.probeCount(Self.key(1)) >= before + 4 }
            await Self.idle(probing, clock)
            #expect(probing.probeCount(Self.key(1)) == before + 4)
        }
    }
}
