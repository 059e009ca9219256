import Foundation

/// orchestrator's failure analysis as a pure function: a snapshot in, one `ReplicationAnalysis` per analysed
/// instance out.
///
/// The verdict is reached in two steps: `facts(of:in:)` computes the named facts about an instance and its direct
/// replicas (orchestrator's building blocks), then the decision tables `codeRules` and `warningRules` turn the facts
/// into a code and structure warnings.
public enum ReplicationAnalyzer {
    /// Analyses every primary, co-primary and instance with replicas, plus any replica that gets a code of its own
    /// (`FirstTierReplicaFailingToConnectToMaster`). Rows are sorted by cluster name, then instance key.
    public static func analyze(_ snapshot: AnalysisSnapshot) -> [ReplicationAnalysis] {
        let index = AnalysisIndex(snapshot)
        return index.instances.compactMap { instance -> ReplicationAnalysis? in
            let facts = facts(of: instance, in: index)
            let rule = firstMatchingRule(facts)
            let code = rule?.verdict ?? .noProblem
            guard facts.isPrimary || facts.isCoPrimary || facts.countReplicas > 0 || code != .noProblem else {
                return nil
            }
            return ReplicationAnalysis(
                instance: instance, facts: facts, code: code, trigger: rule?.trigger,
                warnings: structureWarnings(for: facts), downtime: index.downtimes[instance.key],
                cluster: index.clusters[instance.clusterName]
                    ?? ClusterInfo(clusterName: instance.clusterName, countInstances: 1),
                replicas: index.replicas(of: instance.key).map(\.key), now: snapshot.now)
        }
        .sorted {
            ($0.clusterDetails.clusterName, $0.analyzedInstanceKey)
                < ($1.clusterDetails.clusterName, $1.analyzedInstanceKey)
        }
    }

    /// The facts the rules read about the instance `key`, or `nil` when the snapshot has no such instance.
    public static func facts(of key: InstanceKey, in snapshot: AnalysisSnapshot) -> AnalysisFacts? {
        let index = AnalysisIndex(snapshot)
        return index.byKey[key].map { facts(of: $0, in: index) }
    }

    static func facts(of instance: Instance, in index: AnalysisIndex) -> AnalysisFacts {
        let settings = index.snapshot.settings
        let replicas = index.replicas(of: instance.key)
        let valid = replicas.filter(isValidReplica)
        let logging = replicas.filter { $0.facts.logBinEnabled && $0.facts.logReplicaUpdatesEnabled }
        func loggingCount(_ format: String) -> Int {
            logging.count { $0.facts.binlogFormat.uppercased() == format }
        }
        let semiSync = instance.facts.semiSync

        var facts = AnalysisFacts(key: instance.key)
        facts.isPrimary = instance.isPrimary
        facts.isCoPrimary = instance.isCoPrimary || replicas.contains { $0.isCoPrimary }
        facts.lastCheckValid = instance.isLastCheckValid(
            pollSeconds: settings.pollSeconds, reasonableCheckSeconds: settings.reasonableCheckSeconds)
        facts.lastCheckPartial = instance.isLastCheckPartial
        facts.isReadOnly = instance.facts.readOnly
        facts.replicationDepth = instance.replicationDepth
        facts.isFailingToConnectToSource = instance.facts.replication.map(isFailingToConnect) ?? false
        facts.isDowntimed = index.downtimes[instance.key] != nil

        facts.countReplicas = replicas.count
        facts.countValidReplicas = valid.count
        facts.countValidReplicatingReplicas = valid.count(where: \.isReplicating)
        facts.countReplicasFailingToConnect = valid.count { $0.facts.replication.map(isFailingToConnect) ?? false }
        facts.countLaggingReplicas = replicas.count {
            ($0.facts.replication?.secondsBehindSource ?? 0) > settings.reasonableReplicationLagSeconds
        }
        facts.countDelayedReplicas = replicas.count { ($0.facts.replication?.sqlDelaySeconds ?? 0) > 0 }
        facts.countDowntimedReplicas = replicas.count { index.downtimes[$0.key] != nil }

        facts.semiSyncSourceEnabled = semiSync.sourceEnabled
        facts.semiSyncSourceStatus = semiSync.sourceStatus
        facts.semiSyncSourceWaitForReplicaCount = semiSync.sourceWaitForReplicaCount
        facts.semiSyncSourceClients = semiSync.sourceClients
        facts.countSemiSyncReplicasEnabled = replicas.count { $0.facts.semiSync.replicaEnabled }
        if let since = index.snapshot.staleBinlogSince[instance.key] {
            let stillFor = index.snapshot.now.timeIntervalSince(since)
            facts.isBinlogStale = stillFor > Double(settings.lockedSemiSyncMasterSeconds)
        }

        facts.countLoggingReplicas = logging.count
        facts.countStatementBasedLoggingReplicas = loggingCount("STATEMENT")
        facts.countMixedBasedLoggingReplicas = loggingCount("MIXED")
        facts.countRowBasedLoggingReplicas = loggingCount("ROW")
        facts.countDistinctMajorVersionsLoggingReplicas =
            Set(logging.compactMap { $0.facts.version?.majorVersion }).count

        facts.oracleGTIDImmediateTopology = !valid.isEmpty && valid.allSatisfy(\.facts.usingOracleGTID)
        facts.mariaDBGTIDImmediateTopology = !valid.isEmpty && valid.allSatisfy(\.facts.usingMariaDBGTID)
        facts.gtidMode = instance.facts.gtidMode
        facts.minReplicaGTIDMode = replicas.map(\.facts.gtidMode).min() ?? ""
        facts.maxReplicaGTIDMode = replicas.map(\.facts.gtidMode).max() ?? ""
        facts.maxReplicaGTIDErrant =
            replicas
            .filter { index.downtimes[$0.key] == nil }
            .map { errantGTID(of: $0, source: instance, in: index) }
            .max() ?? ""

        facts.recoverNonWriteableMaster = settings.recoverNonWriteableMaster
        facts.enforceExactSemiSyncReplicas = settings.enforceExactSemiSyncReplicas
        return facts
    }

    /// orchestrator's "valid" replica: its last check succeeded (`last_checked <= last_seen`).
    public static func isValidReplica(_ replica: Instance) -> Bool {
        guard let lastSeen = replica.lastSeen, let lastChecked = replica.lastChecked else { return false }
        return lastChecked <= lastSeen
    }

    /// The IO thread is down with a connect error while the SQL thread runs.
    public static func isFailingToConnect(_ replication: ReplicationStatus) -> Bool {
        !replication.ioThread.isRunning && replication.sqlThread.isRunning
            && isConnectError(replication.lastIOError)
    }

    /// orchestrator matches `LIKE '%error %connecting to master%'`, which covers MySQL 5.7 and MariaDB ("error
    /// connecting to master", "error reconnecting to master 'repl@host:3306' - retry-time: …"); MySQL 8 says
    /// "source" instead of "master". Case-insensitive, like the SQL comparison.
    public static func isConnectError(_ lastIOError: String) -> Bool {
        let text = lastIOError.lowercased()
        guard let error = text.range(of: "error ") else { return false }
        let rest = text[error.upperBound...]
        return rest.contains("connecting to master") || rest.contains("connecting to source")
    }

    /// The replica's errant GTIDs relative to `source` (MySQL sets or MariaDB positions; none across flavours).
    static func errantGTID(of replica: Instance, source: Instance, in index: AnalysisIndex) -> String {
        guard let replicaVersion = replica.facts.version, let sourceVersion = source.facts.version,
            source.hasBeenSeen, replicaVersion.isMariaDB == sourceVersion.isMariaDB
        else { return "" }
        if replicaVersion.isMariaDB {
            return ErrantGTID.mariaDB(
                replicaPosition: replica.facts.executedGTIDSet, replicaServerID: replica.facts.serverID,
                isCoPrimary: replica.isCoPrimary, sourcePosition: source.facts.executedGTIDSet)
        }
        return ErrantGTID.mysql(
            replicaExecuted: replica.facts.executedGTIDSet, replicaUUID: replica.facts.serverUUID,
            isCoPrimary: replica.isCoPrimary, sourceExecuted: source.facts.executedGTIDSet,
            ancestorUUIDs: index.ancestors(of: replica).map(\.facts.serverUUID).filter { !$0.isEmpty })
    }
}
