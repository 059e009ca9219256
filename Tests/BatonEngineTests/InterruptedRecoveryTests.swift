import BatonCore
import BatonEngine
import BatonHooks
import BatonStore
import BatonTestSupport
import Foundation
import Logging
import NIOPosix
import Testing

/// A node that takes office resolves the recoveries left running by its predecessor: attempted only if they had
/// been marked executing (they may have changed servers), so one interrupted before it touched a server does not
/// block its cluster.
struct InterruptedRecoveryTests {
    /// The leader, reporting every time the coordinator asks (once per tick).
    final class WatchedLeadership: Leadership {
        let nodeName = "node-b"
        let asked: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation

        init() {
            (asked, continuation) = AsyncStream.makeStream(of: Void.self)
        }

        var isLeader: Bool {
            continuation.yield()
            return true
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: [true, false])
    func anInterruptedRecoveryIsAttemptedOnlyIfItWasMarkedExecuting(_ marked: Bool) async throws {
        let database = try BatonDatabase()
        let logger = Logger(label: "test")
        let clock = MockClock()
        let monitor = try TopologyMonitorTests.monitor(ScriptedProbing(), database: database, clock: clock)
        let controls = try OperatorControls(database: database, logger: logger)
        let log = LocalCommandLog(
            applier: BatonCommandApplier(database: database, controls: controls, monitor: monitor, logger: logger))
        let started = clock.wallNow.addingTimeInterval(-30)
        let failed = InstanceKey(hostname: "db-1", port: 3306)
        let record = RecoveryRecord(
            uid: "left-running", failedKey: failed, clusterName: "db-1:3306", analysis: .deadMaster,
            kind: .masterRecovery, processingNode: "node-a", startedAt: started)
        let rules = RegistrationRules(isManual: false, blockSeconds: 3600)
        _ = try await log.submit(.registerRecovery(record, rules))
        if marked { _ = try await log.submit(.markExecuting(uid: "left-running", at: started.addingTimeInterval(1))) }

        let detector = FailureDetector(
            monitor: monitor, controls: controls, database: database, log: log,
            leadership: SingleNodeLeadership(nodeName: "node-b"),
            configuration: DetectionConfiguration(analysis: AnalysisSettings(pollSeconds: 60)), logger: logger,
            clock: clock, now: { clock.wallNow })
        let configuration = try BatonConfiguration.parse(Data("{}".utf8))
        let leadership = WatchedLeadership()
        let coordinator = RecoveryCoordinator(
            monitor: monitor, detector: detector, controls: controls, database: database,
            configuration: RecoveryCoordinatorConfiguration(
                recovery: configuration.recovery, pollSeconds: 60, reasonableCheckSeconds: 1),
            policy: .none, hooks: HookRunner(logger: logger),
            executor: RecoveryExecutor(
                access: configuration.topology, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger,
                clock: clock),
            clock: clock, leadership: leadership, log: log, logger: logger, now: { clock.wallNow })
        var ticks = leadership.asked.makeAsyncIterator()
        let loop = Task { try await coordinator.run() }
        // The first tick takes office and resolves what was left running; the second begins once it has ended.
        #expect(await ticks.next() != nil)
        coordinator.nudge()
        #expect(await ticks.next() != nil)
        loop.cancel()
        try await loop.value

        let resolved = try #require(try database.recoveries(.uid("left-running")).first)
        #expect(resolved.endedAt != nil && !resolved.isSuccessful)
        #expect(resolved.attempted == marked)
        #expect(resolved.errors.contains { $0.hasPrefix("interrupted") })
        // Only a recovery that may have changed servers blocks the next one.
        let next = RecoveryRecord(
            uid: "next", failedKey: failed, clusterName: "db-1:3306", analysis: .deadMaster, kind: .masterRecovery,
            processingNode: "node-b", startedAt: clock.wallNow.addingTimeInterval(1))
        let answer = try await log.submit(.registerRecovery(next, rules))
        #expect((answer.recovery != nil) == !marked, "\(answer.refusal ?? "registered")")
        #expect(answer.blockingRecovery?.uid == (marked ? "left-running" : nil))
    }
}
