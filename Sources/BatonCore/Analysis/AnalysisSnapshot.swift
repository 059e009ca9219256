import Foundation

/// Everything failure analysis looks at, frozen at one moment: the input of `ReplicationAnalyzer.analyze`.
public struct AnalysisSnapshot: Sendable {
    /// The instances, already resolved by `TopologyResolver` (cluster names, depths, co-primaries).
    /// Use `resolving(_:…)` to resolve raw probe results.
    public var instances: [Instance]
    /// Downtimes; only those active at `now` count.
    public var downtimes: [Downtime]
    /// The moment of analysis. Only downtime depends on it: check validity compares an instance's own
    /// `lastAttempted`/`lastChecked`/`lastSeen`, as orchestrator does.
    public var now: Date
    public var settings: AnalysisSettings
    /// For each primary whose binary log coordinates are not advancing, when they were first seen unchanged
    /// (orchestrator's `database_instance_stale_binlog_coordinates.first_seen`). The engine records an entry when
    /// a probe reads the same `SelfBinlogCoordinates` as the previous one and drops it when they move. A
    /// semi-sync primary waiting for acknowledgements is `LockedSemiSyncMaster` when its entry is older than
    /// `settings.lockedSemiSyncMasterSeconds`, otherwise `LockedSemiSyncMasterHypothesis`.
    public var staleBinlogSince: [InstanceKey: Date]

    public init(
        instances: [Instance], downtimes: [Downtime] = [], now: Date, settings: AnalysisSettings = AnalysisSettings(),
        staleBinlogSince: [InstanceKey: Date] = [:]
    ) {
        self.instances = instances
        self.downtimes = downtimes
        self.now = now
        self.settings = settings
        self.staleBinlogSince = staleBinlogSince
    }

    /// A snapshot of instances as probed: runs `TopologyResolver` over them first.
    public static func resolving(
        _ instances: [Instance], downtimes: [Downtime] = [], now: Date, settings: AnalysisSettings = AnalysisSettings(),
        staleBinlogSince: [InstanceKey: Date] = [:]
    ) -> AnalysisSnapshot {
        AnalysisSnapshot(
            instances: TopologyResolver.resolve(instances), downtimes: downtimes, now: now, settings: settings,
            staleBinlogSince: staleBinlogSince)
    }

    /// The downtime in force for `key` at `now`; the one ending last when there are several.
    public func activeDowntime(of key: InstanceKey) -> Downtime? {
        downtimes.filter { $0.key == key && $0.isActive(at: now) }.max { $0.endsAt < $1.endsAt }
    }
}
