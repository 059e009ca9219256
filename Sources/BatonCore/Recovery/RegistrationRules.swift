import Foundation

/// What a recovery's registration is checked against when it is applied on every node, carried by the command so
/// that every node decides alike. Two leaders (an old one that has not noticed yet, and a new one) may both submit a
/// registration; applying the log in order lets only the first through.
///
/// The check reads only the replicated state and the record's own `startedAt`, never a clock; cluster filters are
/// configuration, not replicated state, and were checked by the leader that submitted the registration.
public struct RegistrationRules: Codable, Sendable, Equatable {
    /// A manual recovery (`recover`, `force-master-failover`, a graceful takeover): the global switch, downtime and
    /// anti-flapping do not apply, a running recovery of the cluster still does.
    public var isManual: Bool
    /// `RecoveryPeriodBlockSeconds`: how long an attempted, unacknowledged recovery blocks its cluster after it ended.
    public var blockSeconds: TimeInterval

    public init(isManual: Bool, blockSeconds: TimeInterval) {
        self.isManual = isManual
        self.blockSeconds = blockSeconds
    }

    /// The replicated facts a registration is checked against.
    public struct Facts: Sendable {
        /// The global recovery switch.
        public var recoveriesEnabled: Bool
        /// Every stored downtime (expired ones included: the check reads them at `startedAt`).
        public var downtimes: [Downtime]
        /// The recoveries of the record's cluster, or that promoted its failed instance: running, or ended recently.
        public var recoveries: [RecoveryRecord]

        public init(recoveriesEnabled: Bool, downtimes: [Downtime], recoveries: [RecoveryRecord]) {
            self.recoveriesEnabled = recoveriesEnabled
            self.downtimes = downtimes
            self.recoveries = recoveries
        }
    }

    /// Whether `record` may be registered: `RecoveryGate.check` at `record.startedAt`, as the leader, with filters
    /// that allow every cluster.
    public func check(_ record: RecoveryRecord, _ facts: Facts) -> RecoveryGate.Verdict {
        let everything = ClusterFilter(["*"])
        return RecoveryGate.check(
            RecoveryGate.Facts(
                isLeader: true, recoveriesEnabled: facts.recoveriesEnabled, analysis: record.analysis,
                cluster: record.clusterName, clusterAlias: record.clusterAlias,
                isDowntimed: facts.downtimes.contains { $0.key == record.failedKey && $0.isActive(at: record.startedAt) },
                recoveries: facts.recoveries.filter { $0.uid != record.uid }.compactMap(\.pastRecovery),
                blockSeconds: blockSeconds, masterFilter: everything, intermediateMasterFilter: everything,
                isManual: isManual, now: record.startedAt, failedKey: record.failedKey))
    }
}
