/// The named facts about one analysed instance and its direct replicas that the analysis rules read
/// (orchestrator computes the same columns in `GetReplicationAnalysis`).
///
/// "Valid" means the last check succeeded; for replicas orchestrator only compares `lastChecked <= lastSeen`.
public struct AnalysisFacts: Hashable, Sendable {
    public var key: InstanceKey
    /// No source configured (orchestrator's `IsMaster`).
    public var isPrimary = false
    /// Part of a replication cycle, or has a replica that is.
    public var isCoPrimary = false
    public var lastCheckValid = true
    public var lastCheckPartial = false
    public var isReadOnly = false
    public var replicationDepth = 0
    /// The instance's own IO thread is failing to connect to its source (SQL thread running).
    public var isFailingToConnectToSource = false
    public var isDowntimed = false

    public var countReplicas = 0
    /// Replicas whose last check succeeded ("reachable").
    public var countValidReplicas = 0
    /// Valid replicas with both threads running.
    public var countValidReplicatingReplicas = 0
    /// Valid replicas whose IO thread is down with a connect error while the SQL thread runs.
    public var countReplicasFailingToConnect = 0
    /// Replicas lagging more than `ReasonableReplicationLagSeconds` (any validity).
    public var countLaggingReplicas = 0
    /// Replicas with `SQL_Delay` > 0.
    public var countDelayedReplicas = 0
    public var countDowntimedReplicas = 0

    public var semiSyncSourceEnabled = false
    public var semiSyncSourceStatus = false
    public var semiSyncSourceWaitForReplicaCount = 0
    public var semiSyncSourceClients = 0
    public var countSemiSyncReplicasEnabled = 0
    /// The instance's binary log coordinates have stood still longer than `ReasonableLockedSemiSyncMasterSeconds`.
    public var isBinlogStale = false

    /// Replicas with `log_bin` and `log_slave_updates`, and how many of them use each binlog format.
    public var countLoggingReplicas = 0
    public var countStatementBasedLoggingReplicas = 0
    public var countMixedBasedLoggingReplicas = 0
    public var countRowBasedLoggingReplicas = 0
    public var countDistinctMajorVersionsLoggingReplicas = 0

    /// Every valid replica (at least one) replicates with MySQL auto-position / MariaDB GTID.
    public var oracleGTIDImmediateTopology = false
    public var mariaDBGTIDImmediateTopology = false

    public var gtidMode = ""
    /// The smallest and largest replica `gtid_mode` (string order, as SQL `MIN`/`MAX`); empty without replicas.
    public var minReplicaGTIDMode = ""
    public var maxReplicaGTIDMode = ""
    /// The largest errant GTID set among replicas that are not downtimed; empty when none has errant transactions.
    public var maxReplicaGTIDErrant = ""

    /// Settings some rules depend on.
    public var recoverNonWriteableMaster = false
    public var enforceExactSemiSyncReplicas = false

    public init(key: InstanceKey) { self.key = key }

    /// Semi-sync is on and waiting for more acknowledging replicas than are connected.
    public var isSemiSyncWaitingForReplicas: Bool {
        semiSyncSourceEnabled && semiSyncSourceStatus && semiSyncSourceWaitForReplicaCount > 0
            && semiSyncSourceClients < semiSyncSourceWaitForReplicaCount
    }

    /// The facts in a few words, for the `Reasons` of an analysis row.
    public var summary: [String] {
        let role =
            isPrimary ? "primary" : isCoPrimary ? "co-primary" : countReplicas > 0 ? "intermediate primary" : "replica"
        let reach = lastCheckValid ? "reachable" : lastCheckPartial ? "unreachable (partial check)" : "unreachable"
        var lines = ["\(role), \(reach)"]
        if countReplicas > 0 {
            lines.append(
                "\(countReplicas) replicas: \(countValidReplicas) reachable, \(countValidReplicatingReplicas) "
                    + "replicating, \(countReplicasFailingToConnect) failing to connect, \(countLaggingReplicas) "
                    + "lagging, \(countDelayedReplicas) delayed, \(countDowntimedReplicas) downtimed")
        }
        if semiSyncSourceEnabled {
            lines.append(
                "semi-sync \(semiSyncSourceStatus ? "on" : "off"): \(semiSyncSourceClients) of "
                    + "\(semiSyncSourceWaitForReplicaCount) acknowledging replicas connected"
                    + (isBinlogStale ? ", binlog coordinates stale" : ""))
        }
        if isFailingToConnectToSource { lines.append("failing to connect to its source") }
        if isDowntimed { lines.append("downtimed") }
        return lines
    }
}
