import BatonCore
import BatonEngine
import BatonHooks
import BatonStore
import BatonTestSupport
import Foundation
import Logging
import NIOPosix
import Testing

/// The coordinator's loop wakes when nudged, without waiting for its clock.
struct RecoveryCoordinatorWakeUpTests {
    /// A follower that reports every time the coordinator asks whether it leads (once per tick).
    final class WatchedLeadership: Leadership {
        let nodeName = "test"
        let asked: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation

        init() {
            (asked, continuation) = AsyncStream.makeStream(of: Void.self)
        }

        var isLeader: Bool {
            continuation.yield()
            return false
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aNudgeWakesTheLoopAtOnceWhileTheClockStandsStill() async throws {
        let database = try BatonDatabase()
        let logger = Logger(label: "test")
        // A clock the test never advances: every sleep lasts until its task is cancelled.
        let clock = MockClock()
        let monitor = try TopologyMonitorTests.monitor(ScriptedProbing(), database: database, clock: clock)
        let controls = try OperatorControls(database: database, logger: logger)
        let applier = BatonCommandApplier(database: database, controls: controls, monitor: monitor, logger: logger)
        let leadership = WatchedLeadership()
        let detector = FailureDetector(
            monitor: monitor, controls: controls, database: database, log: LocalCommandLog(applier: applier),
            leadership: SingleNodeLeadership(nodeName: "test"),
            configuration: DetectionConfiguration(analysis: AnalysisSettings(pollSeconds: 60)), logger: logger,
            clock: clock, now: { clock.wallNow })
        let configuration = try BatonConfiguration.parse(Data("{}".utf8))
        let coordinator = RecoveryCoordinator(
            monitor: monitor, detector: detector, controls: controls, database: database,
            configuration: RecoveryCoordinatorConfiguration(
                recovery: configuration.recovery, pollSeconds: 60, reasonableCheckSeconds: 1),
            policy: .none, hooks: HookRunner(logger: logger),
            executor: RecoveryExecutor(
                access: configuration.topology, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger,
                clock: clock),
            clock: clock, leadership: leadership, log: LocalCommandLog(applier: applier), logger: logger,
            now: { clock.wallNow })
        var ticks = leadership.asked.makeAsyncIterator()
        let loop = Task { try await coordinator.run() }

        // The loop ticks once when it starts; then only a nudge can wake it, since its clock never advances.
        #expect(await ticks.next() != nil)
        coordinator.nudge()
        #expect(await ticks.next() != nil)
        coordinator.nudge()
        #expect(await ticks.next() != nil)

        loop.cancel()
        try await loop.value
    }
}
