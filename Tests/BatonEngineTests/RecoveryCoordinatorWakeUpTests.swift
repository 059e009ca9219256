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
    /// A clock on which time never passes: every sleep lasts until its task is cancelled.
    struct FrozenClock: Clock {
        struct Instant: InstantProtocol {
            var offset: Duration
            func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
            func duration(to other: Instant) -> Duration { other.offset - offset }
            static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        }

        var now: Instant { Instant(offset: .zero) }
        var minimumResolution: Duration { .zero }

        func sleep(until deadline: Instant, tolerance: Duration?) async throws {
            let (never, continuation) = AsyncStream.makeStream(of: Void.self)
            await withTaskCancellationHandler {
                for await _ in never {}
            } onCancel: {
                continuation.finish()
            }
            throw CancellationError()
        }
    }

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
        let monitor = try TopologyMonitorTests.monitor(ScriptedProbing(), database: database)
        let controls = try OperatorControls(database: database, logger: logger)
        let detector = FailureDetector(
            monitor: monitor, controls: controls, database: database,
            configuration: DetectionConfiguration(analysis: AnalysisSettings(pollSeconds: 60)), logger: logger)
        let configuration = try BatonConfiguration.parse(Data("{}".utf8))
        let leadership = WatchedLeadership()
        let coordinator = RecoveryCoordinator(
            monitor: monitor, detector: detector, controls: controls, database: database,
            configuration: RecoveryCoordinatorConfiguration(
                recovery: configuration.recovery, pollSeconds: 60, reasonableCheckSeconds: 1),
            policy: .none, hooks: HookRunner(logger: logger),
            executor: RecoveryExecutor(
                access: configuration.topology, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger,
                clock: FrozenClock()),
            clock: FrozenClock(), leadership: leadership,
            log: LocalCommandLog(
                applier: BatonCommandApplier(database: database, controls: controls, monitor: monitor, logger: logger)),
            logger: logger, now: { Date(timeIntervalSince1970: 1_700_000_000) })
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
