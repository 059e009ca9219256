import Foundation

/// Whether an actionable verdict may be recovered now, checked in the order operators expect: leadership, the
/// global switch, downtime, anti-flapping, then the cluster filters. Pure: the coordinator gathers the facts.
///
/// Anti-flapping differs from orchestrator on purpose (orchestrator#1217): a cluster's block lasts
/// `RecoveryPeriodBlockSeconds` from the end of its last recovery, and a recovery that is still running blocks
/// its cluster however long it takes — a second recovery can never start beside a slow first one.
public enum RecoveryGate {
    /// A recovery of a cluster, running or finished, as far as blocking is concerned.
    public struct PastRecovery: Sendable, Equatable {
        public var id: Int64
        public var cluster: String
        public var startedAt: Date
        /// `nil` while the recovery runs.
        public var endedAt: Date?
        /// An acknowledged recovery no longer blocks.
        public var acknowledged: Bool
        /// The instance it promoted or moved replicas under. A cluster is named after its primary, so after a
        /// failover it has a new name: a recovery of the promoted instance is blocked through this key.
        public var successor: InstanceKey?

        public init(
            id: Int64, cluster: String, startedAt: Date, endedAt: Date?, acknowledged: Bool = false,
            successor: InstanceKey? = nil
        ) {
            self.id = id
            self.cluster = cluster
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.acknowledged = acknowledged
            self.successor = successor
        }
    }

    public struct Facts: Sendable {
        public var isLeader: Bool
        public var recoveriesEnabled: Bool
        public var analysis: AnalysisCode
        /// The failed instance; `nil` skips the successor check.
        public var failedKey: InstanceKey?
        public var cluster: String
        public var clusterAlias: String
        public var isDowntimed: Bool
        public var recoveries: [PastRecovery]
        public var blockSeconds: TimeInterval
        public var masterFilter: ClusterFilter
        public var intermediateMasterFilter: ClusterFilter
        /// A manual recovery (`recover`, `force-master-failover`): skips the switch, downtime and filters, as in
        /// orchestrator, but never leadership or a running recovery.
        public var isManual: Bool
        public var now: Date

        public init(
            isLeader: Bool, recoveriesEnabled: Bool, analysis: AnalysisCode, cluster: String, clusterAlias: String = "",
            isDowntimed: Bool, recoveries: [PastRecovery], blockSeconds: TimeInterval, masterFilter: ClusterFilter,
            intermediateMasterFilter: ClusterFilter, isManual: Bool = false, now: Date, failedKey: InstanceKey? = nil
        ) {
            self.failedKey = failedKey
            self.isLeader = isLeader
            self.recoveriesEnabled = recoveriesEnabled
            self.analysis = analysis
            self.cluster = cluster
            self.clusterAlias = clusterAlias
            self.isDowntimed = isDowntimed
            self.recoveries = recoveries
            self.blockSeconds = blockSeconds
            self.masterFilter = masterFilter
            self.intermediateMasterFilter = intermediateMasterFilter
            self.isManual = isManual
            self.now = now
        }
    }

    public enum Verdict: Sendable, Equatable {
        case proceed
        /// Not attempted; `blockingRecovery` names the recovery in the way for anti-flapping blocks.
        case refused(reason: String, blockingRecovery: Int64?)
    }

    public static func check(_ facts: Facts) -> Verdict {
        guard facts.isLeader else { return .refused(reason: "this node is not the leader", blockingRecovery: nil) }
        guard facts.analysis.isActionable else {
            return .refused(reason: "\(facts.analysis.rawValue) is not recoverable", blockingRecovery: nil)
        }
        if let running = facts.recoveries.first(where: { $0.cluster == facts.cluster && $0.endedAt == nil }) {
            return .refused(
                reason: "recovery \(running.id) of \(facts.cluster) is still running", blockingRecovery: running.id)
        }
        if facts.isManual { return .proceed }
        guard facts.recoveriesEnabled else {
            return .refused(reason: "recoveries are disabled globally", blockingRecovery: nil)
        }
        if facts.isDowntimed { return .refused(reason: "the failed instance is downtimed", blockingRecovery: nil) }
        let blocking = facts.recoveries
            .filter { recovery in
                !recovery.acknowledged
                    && (recovery.cluster == facts.cluster || (facts.failedKey != nil && recovery.successor == facts.failedKey))
            }
            .compactMap { recovery -> (PastRecovery, Date)? in
                guard let ended = recovery.endedAt else { return nil }
                let until = ended.addingTimeInterval(facts.blockSeconds)
                return until > facts.now ? (recovery, until) : nil
            }
            .max { $0.1 < $1.1 }
        if let (recovery, until) = blocking {
            let what =
                recovery.cluster == facts.cluster
                ? "\(facts.cluster) was recovered recently"
                : "\(recovery.successor?.description ?? "") took over recently"
            return .refused(
                reason: "\(what) (recovery \(recovery.id)); blocked until \(OrchestratorTimestamp.format(until)) "
                    + "unless acknowledged",
                blockingRecovery: recovery.id)
        }
        let isIntermediate = facts.analysis.rawValue.contains("IntermediateMaster")
        let filter = isIntermediate ? facts.intermediateMasterFilter : facts.masterFilter
        let key = isIntermediate ? "RecoverIntermediateMasterClusterFilters" : "RecoverMasterClusterFilters"
        guard filter.matchingEntry(cluster: facts.cluster, alias: facts.clusterAlias) != nil else {
            return .refused(reason: "\(facts.cluster) is not allowed by \(key)", blockingRecovery: nil)
        }
        return .proceed
    }
}
