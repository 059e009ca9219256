import BatonCore
import BatonEngine
import BatonStore
import BatonTestSupport
import Foundation
import Logging
import Testing

/// The detector on a `MockClock`: it wakes on failure signals and at its interval, and registers each failure
/// once per active period through the command log.
@Suite(.timeLimit(.minutes(1))) struct FailureDetectorTests {
    static func key(_ port: Int) -> InstanceKey { TopologyMonitorTests.key(port) }

    struct Follower: Leadership {
        var isLeader: Bool { false }
        var nodeName: String { "follower" }
    }

    struct Fixture {
        let clock: MockClock
        let probing: ScriptedProbing
        let database: BatonDatabase
        let monitor: TopologyMonitor
        let detector: FailureDetector

        /// The primary stops answering and both its replicas report that they cannot reach it.
        func killPrimary() async throws {
            probing.set(key(1), .fail("connection refused"))
            for port in [2, 3] {
                var facts = InstanceFacts.mariaDB(serverID: UInt32(port), source: key(1))
                facts.replication?.ioThread = .other
                facts.replication?.lastIOError = "error reconnecting to master 'repl@10.0.0.1:1' - retry-time: 1"
                probing.set(key(port), .facts(facts))
            }
            _ = try? await monitor.discover(key(1))
            for port in [2, 3] { _ = try await monitor.discover(key(port)) }
        }
    }

    /// A primary with two replicas, discovered; the monitor's loops do not run (nothing is probed unasked).
    static func fixture(
        leadership: any Leadership = SingleNodeLeadership(nodeName: "test"), interval: Duration = .seconds(60),
        reactionInterval: Duration = .zero, detectionBlockSeconds: Int = 60
    ) async throws -> Fixture {
        let clock = MockClock()
        let probing = ScriptedProbing()
        probing.set(key(1), .facts(.mariaDB(serverID: 1, replicas: [key(2), key(3)])))
        for port in [2, 3] { probing.set(key(port), .facts(.mariaDB(serverID: UInt32(port), source: key(1)))) }
        let database = try BatonDatabase()
        let logger = Logger(label: "test")
        let monitor = try TopologyMonitorTests.monitor(probing, database: database, clock: clock)
        for port in 1...3 { _ = try await monitor.discover(key(port)) }
        // Later checks are told apart from these by their time.
        clock.advance(by: .seconds(1))
        let controls = try OperatorControls(database: database, logger: logger)
        let log = LocalCommandLog(
            applier: BatonCommandApplier(database: database, controls: controls, monitor: monitor, logger: logger))
        let detector = FailureDetector(
            monitor: monitor, controls: controls, database: database, log: log, leadership: leadership,
            configuration: DetectionConfiguration(
                analysis: AnalysisSettings(pollSeconds: 60), detectionBlockSeconds: detectionBlockSeconds,
                interval: interval, reactionInterval: reactionInterval),
            logger: logger, clock: clock, now: { clock.wallNow })
        return Fixture(clock: clock, probing: probing, database: database, monitor: monitor, detector: detector)
    }

    /// Runs the detector while `body` runs.
    static func running<T: Sendable>(_ detector: FailureDetector, _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await detector.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    static func detectsDeadPrimary(_ detector: FailureDetector) -> Bool {
        detector.latest.contains { $0.analyzedInstanceKey == key(1) && $0.analysis == .deadMaster }
    }

    @Test func aFailureSignalWakesTheDetectorAtOnceNotAtItsInterval() async throws {
        let fixture = try await Self.fixture(interval: .seconds(60))
        let start = fixture.clock.now
        try await Self.running(fixture.detector) {
            await TopologyMonitorTests.until(fixture.detector.analyses) { fixture.detector.analyses.generation >= 1 }
            #expect(!Self.detectsDeadPrimary(fixture.detector))
            try await fixture.killPrimary()
            await TopologyMonitorTests.until(fixture.detector.analyses) { Self.detectsDeadPrimary(fixture.detector) }
        }
        #expect(fixture.clock.now == start, "no time passed: the signal woke it")
    }

    @Test func aBurstOfSignalsIsAnalysedOnceTheReactionIntervalAfterTheLastAnalysis() async throws {
        let fixture = try await Self.fixture(interval: .seconds(60), reactionInterval: .milliseconds(20))
        try await Self.running(fixture.detector) {
            await TopologyMonitorTests.until(fixture.detector.analyses) { fixture.detector.analyses.generation >= 1 }
            let analysed = fixture.detector.analyses.generation
            try await fixture.killPrimary()
            // Woken at once, the detector waits out the reaction interval (no time has passed since it analysed).
            await fixture.clock.waitForSleeper(until: fixture.clock.now.advanced(by: .milliseconds(20)))
            #expect(fixture.detector.analyses.generation == analysed)
            fixture.clock.advance(by: .milliseconds(20))
            await TopologyMonitorTests.until(fixture.detector.analyses) { Self.detectsDeadPrimary(fixture.detector) }
            #expect(fixture.detector.analyses.generation == analysed + 1, "the whole burst in one analysis")
        }
    }

    @Test func withoutASignalTheDetectorAnalysesEveryInterval() async throws {
        let fixture = try await Self.fixture(interval: .seconds(1))
        let start = fixture.clock.now
        try await Self.running(fixture.detector) {
            await TopologyMonitorTests.until(fixture.detector.analyses) { fixture.detector.analyses.generation >= 1 }
            for round in 1...3 {
                await fixture.clock.waitForSleepers(1)
                let analysed = fixture.detector.analyses.generation
                #expect(fixture.clock.advanceToNextTimer() == start.advanced(by: .seconds(round)))
                await TopologyMonitorTests.until(fixture.detector.analyses) {
                    fixture.detector.analyses.generation > analysed
                }
            }
        }
    }

    @Test func aFailureIsDetectedOncePerActivePeriodThroughTheCommandLog() async throws {
        let fixture = try await Self.fixture(detectionBlockSeconds: 60)
        try await fixture.killPrimary()
        await fixture.detector.detect()
        await fixture.detector.detect()
        #expect(try fixture.database.failureDetections().map(\.key) == [Self.key(1)])
        fixture.clock.advance(by: .seconds(61))
        await fixture.detector.detect()
        #expect(try fixture.database.failureDetections().map(\.key) == [Self.key(1), Self.key(1)])
    }

    @Test func aDetectionRegisteredEarlierKeepsItsOwnActivePeriod() async throws {
        let fixture = try await Self.fixture(detectionBlockSeconds: 3600)
        // Registered before a restart, its active period ends in ten seconds.
        let now = fixture.clock.wallNow
        _ = try fixture.database.registerDetection(
            FailureDetectionRecord(
                key: Self.key(1), clusterName: Self.key(1).description, analysis: .deadMaster, detectedAt: now,
                endsActivePeriod: now.addingTimeInterval(10), document: Data("{}".utf8)))
        try await fixture.killPrimary()
        await fixture.detector.detect()
        #expect(try fixture.database.failureDetections().count == 1)
        fixture.clock.advance(by: .seconds(11))
        await fixture.detector.detect()
        #expect(try fixture.database.failureDetections().count == 2, "the earlier period ended, not this node's own")
    }

    @Test func aNodeThatDoesNotLeadAnalysesButRegistersNothing() async throws {
        let fixture = try await Self.fixture(leadership: Follower())
        try await fixture.killPrimary()
        await fixture.detector.detect()
        #expect(Self.detectsDeadPrimary(fixture.detector))
        #expect(try fixture.database.failureDetections().isEmpty)
    }
}
