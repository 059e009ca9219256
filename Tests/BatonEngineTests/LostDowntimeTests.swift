import BatonCore
import BatonEngine
import BatonHooks
import BatonStore
import BatonTestSupport
import Foundation
import Logging
import NIOPosix
import Testing

/// A server a recovery left behind is downtimed `lost-in-recovery`; once it replicates again the downtime ends.
struct LostDowntimeTests {
    static func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "10.0.0.1", port: port) }

    @Test func aLostInstanceThatReplicatesAgainIsNoLongerDowntimed() async throws {
        let probing = ScriptedProbing()
        probing.set(Self.key(1), .facts(.mariaDB(serverID: 1, replicas: [Self.key(2)])))
        probing.set(Self.key(2), .facts(.mariaDB(serverID: 2, source: Self.key(1))))
        probing.set(Self.key(3), .facts(.mariaDB(serverID: 3)))
        let database = try BatonDatabase()
        let logger = Logger(label: "test")
        let monitor = try TopologyMonitorTests.monitor(probing, database: database)
        for port in 1...3 { _ = try await monitor.discover(Self.key(port)) }
        let controls = try OperatorControls(database: database, logger: logger)
        let log = LocalCommandLog(
            applier: BatonCommandApplier(database: database, controls: controls, monitor: monitor, logger: logger))
        let detector = FailureDetector(
            monitor: monitor, controls: controls, database: database, log: log,
            leadership: SingleNodeLeadership(nodeName: "test"),
            configuration: DetectionConfiguration(analysis: AnalysisSettings(pollSeconds: 60)), logger: logger,
            clock: ContinuousClock(), now: { Date() })
        let configuration = try BatonConfiguration.parse(Data("{}".utf8))
        let now = Date()
        let coordinator = RecoveryCoordinator(
            monitor: monitor, detector: detector, controls: controls, database: database,
            configuration: RecoveryCoordinator.Configuration(
                recovery: configuration.recovery, pollSeconds: 60, reasonableCheckSeconds: 1),
            policy: .none, hooks: HookRunner(logger: logger),
            executor: RecoveryExecutor(
                access: configuration.topology, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger),
            leadership: SingleNodeLeadership(nodeName: "test"),
            log: log, logger: logger, now: { now })
        let lifetime = TimeInterval(configuration.recovery.lostInRecoveryDowntimeSeconds)
        for port in 2...3 {
            _ = try controls.beginDowntime(
                Self.key(port), owner: "baton", reason: "lost-in-recovery", duration: lifetime,
                now: now.addingTimeInterval(-120))
        }
        _ = try controls.beginDowntime(Self.key(1), owner: "ops", reason: "maintenance", duration: 3600, now: now)

        await coordinator.endLostDowntimesOfRecoveredInstances(at: now)

        let still = controls.activeDowntimes(at: now).map(\.key)
        // 2 replicates again: its downtime ended. 3 does not replicate; 1's downtime is an operator's.
        #expect(still == [Self.key(1), Self.key(3)])

        // A fresh lost-in-recovery downtime is kept for its first minute, replicating or not.
        _ = try controls.beginDowntime(
            Self.key(2), owner: "baton", reason: "lost-in-recovery", duration: lifetime, now: now.addingTimeInterval(-10))
        await coordinator.endLostDowntimesOfRecoveredInstances(at: now)
        #expect(controls.activeDowntimes(at: now).map(\.key) == [Self.key(1), Self.key(2), Self.key(3)])
    }
}
