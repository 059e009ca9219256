import BatonCore
import BatonEngine
import BatonHooks
import BatonStore
import BatonTestSupport
import Foundation
import Logging
import NIOPosix

/// A leadership that reports every time the coordinator asks whether it leads (once per tick).
final class WatchedLeadership: Leadership {
    let nodeName: String
    let leads: Bool
    let asked: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init(nodeName: String = "test", leads: Bool) {
        self.nodeName = nodeName
        self.leads = leads
        (asked, continuation) = AsyncStream.makeStream(of: Void.self)
    }

    var isLeader: Bool {
        continuation.yield()
        return leads
    }
}

/// A recovery coordinator wired by hand on a `MockClock` the test never advances (every sleep lasts until its task
/// is cancelled), over scripted servers and `database`, for the tests that drive its loop with nudges.
struct MockClockCoordinator {
    let clock = MockClock()
    let coordinator: RecoveryCoordinator<MockClock>
    let log: LocalCommandLog
    let leadership: WatchedLeadership

    init(database: BatonDatabase, leadership: WatchedLeadership) throws {
        let logger = Logger(label: "test")
        let clock = self.clock
        let monitor = try TopologyMonitorTests.monitor(ScriptedProbing(), database: database, clock: clock)
        let controls = try OperatorControls(database: database, logger: logger)
        let log = LocalCommandLog(
            applier: BatonCommandApplier(database: database, controls: controls, monitor: monitor, logger: logger))
        let detector = FailureDetector(
            monitor: monitor, controls: controls, database: database, log: log,
            leadership: SingleNodeLeadership(nodeName: leadership.nodeName),
            configuration: DetectionConfiguration(analysis: AnalysisSettings(pollSeconds: 60)), logger: logger,
            clock: clock, now: { clock.wallNow })
        let configuration = try BatonConfiguration.parse(Data("{}".utf8))
        coordinator = RecoveryCoordinator(
            monitor: monitor, detector: detector, controls: controls, database: database,
            configuration: RecoveryCoordinatorConfiguration(
                recovery: configuration.recovery, pollSeconds: 60, reasonableCheckSeconds: 1),
            policy: .none, hooks: HookRunner(logger: logger),
            executor: RecoveryExecutor(
                access: configuration.topology, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger,
                clock: clock),
            clock: clock, leadership: leadership, log: log, logger: logger, now: { clock.wallNow })
        self.log = log
        self.leadership = leadership
    }
}
