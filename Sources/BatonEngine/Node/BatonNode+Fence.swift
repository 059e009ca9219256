import BatonCore
import BatonStore
import Foundation
import Logging
import NIOPosix

extension BatonNode {
    /// The demoted-primary fence of a node: every node runs one (a follower may be the only node that reaches the
    /// old primary); it fences for `LostInRecoveryDowntimeSeconds` after a recovery, and checks every poll interval.
    static func makeFence(
        configuration: BatonConfiguration, engineConfiguration: EngineConfiguration, monitor: TopologyMonitor,
        database: BatonDatabase, log: any CommandLog, leadership: any Leadership, logger: Logger,
        now: @escaping @Sendable () -> Date
    ) -> DemotedPrimaryFence {
        DemotedPrimaryFence(
            monitor: monitor, database: database, log: log, leadership: leadership,
            executor: RecoveryExecutor(
                access: configuration.topology, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger),
            settings: DemotedPrimaryFencing.Settings(
                horizon: TimeInterval(configuration.recovery.lostInRecoveryDowntimeSeconds)),
            pollSeconds: engineConfiguration.pollSeconds, reasonableCheckSeconds: engineConfiguration.reasonableCheckSeconds,
            logger: logger, clock: ContinuousClock(), now: now)
    }
}
