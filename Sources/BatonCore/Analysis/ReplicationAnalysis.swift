import Foundation

/// One row of failure analysis: the verdict about one instance and the facts behind it, encoded with
/// orchestrator's field names (the `Details` of `GET /api/replication-analysis`).
///
/// Fields orchestrator has but Baton does not use (binlog servers, Pseudo-GTID, Group Replication, consensus,
/// processing node) are present with empty values so clients that read them keep working. `Reasons` is Baton's
/// addition: the rule that matched and the facts that led to it.
public struct ReplicationAnalysis: Hashable, Sendable, Codable {
    public var analyzedInstanceKey: InstanceKey
    /// The source; `{"Hostname": "", "Port": 0}` for a primary.
    public var analyzedInstanceMasterKey: InstanceKey
    public var clusterDetails: ClusterInfo
    public var analyzedInstanceDataCenter: String
    public var analyzedInstanceRegion: String
    public var analyzedInstancePhysicalEnvironment: String
    public var analyzedInstanceBinlogCoordinates: BinlogCoordinates
    public var isMaster: Bool
    public var isReplicationGroupMember: Bool = false
    public var isCoMaster: Bool
    public var lastCheckValid: Bool
    public var lastCheckPartialSuccess: Bool
    public var countReplicas: Int
    public var countValidReplicas: Int
    public var countValidReplicatingReplicas: Int
    public var countReplicasFailingToConnectToMaster: Int
    public var countDowntimedReplicas: Int
    public var replicationDepth: Int
    /// The direct replicas found in the snapshot, in key order.
    public var replicas: [InstanceKey]
    /// The same as `replicas` (orchestrator's older name).
    public var slaveHosts: [InstanceKey]
    public var isFailingToConnectToMaster: Bool
    public var analysis: AnalysisCode
    public var description: String
    public var structureAnalysis: [StructureWarning]
    public var isDowntimed: Bool
    public var isReplicasDowntimed: Bool
    /// `yyyy-MM-dd HH:mm:ss` UTC; empty when not downtimed.
    public var downtimeEndTimestamp: String
    public var downtimeRemainingSeconds: Int
    public var isBinlogServer: Bool = false
    public var pseudoGTIDImmediateTopology: Bool = false
    public var oracleGTIDImmediateTopology: Bool
    public var mariaDBGTIDImmediateTopology: Bool
    public var binlogServerImmediateTopology: Bool = false
    public var semiSyncMasterEnabled: Bool
    public var semiSyncMasterStatus: Bool
    public var semiSyncMasterWaitForReplicaCount: Int
    public var semiSyncMasterClients: Int
    public var countSemiSyncReplicasEnabled: Int
    public var countLoggingReplicas: Int
    public var countStatementBasedLoggingReplicas: Int
    public var countMixedBasedLoggingReplicas: Int
    public var countRowBasedLoggingReplicas: Int
    public var countDistinctMajorVersionsLoggingReplicas: Int
    public var countDelayedReplicas: Int
    public var countLaggingReplicas: Int
    /// The code has a recovery (`AnalysisCode.isActionable`).
    public var isActionableRecovery: Bool
    public var processingNodeHostname: String = ""
    public var processingNodeToken: String = ""
    public var countAdditionalAgreeingNodes: Int = 0
    public var startActivePeriod: String = ""
    /// Downtime makes the row skippable: the instance is downtimed, or all its replicas are and the code is about
    /// them (`IsReplicasDowntimed`).
    public var skippableDueToDowntime: Bool
    public var gtidMode: String
    public var minReplicaGTIDMode: String
    public var maxReplicaGTIDMode: String
    public var maxReplicaGTIDErrant: String
    public var commandHint: String = ""
    public var isReadOnly: Bool
    /// Baton: the rule that decided the code (in plain words) and the facts about the instance and its replicas.
    public var reasons: [String]

    enum CodingKeys: String, CodingKey {
        case analyzedInstanceKey = "AnalyzedInstanceKey", analyzedInstanceMasterKey = "AnalyzedInstanceMasterKey"
        case clusterDetails = "ClusterDetails", analyzedInstanceDataCenter = "AnalyzedInstanceDataCenter"
        case analyzedInstanceRegion = "AnalyzedInstanceRegion"
        case analyzedInstancePhysicalEnvironment = "AnalyzedInstancePhysicalEnvironment"
        case analyzedInstanceBinlogCoordinates = "AnalyzedInstanceBinlogCoordinates"
        case isMaster = "IsMaster", isReplicationGroupMember = "IsReplicationGroupMember", isCoMaster = "IsCoMaster"
        case lastCheckValid = "LastCheckValid", lastCheckPartialSuccess = "LastCheckPartialSuccess"
        case countReplicas = "CountReplicas", countValidReplicas = "CountValidReplicas"
        case countValidReplicatingReplicas = "CountValidReplicatingReplicas"
        case countReplicasFailingToConnectToMaster = "CountReplicasFailingToConnectToMaster"
        case countDowntimedReplicas = "CountDowntimedReplicas", replicationDepth = "ReplicationDepth"
        case replicas = "Replicas", slaveHosts = "SlaveHosts"
        case isFailingToConnectToMaster = "IsFailingToConnectToMaster", analysis = "Analysis"
        case description = "Description", structureAnalysis = "StructureAnalysis", isDowntimed = "IsDowntimed"
        case isReplicasDowntimed = "IsReplicasDowntimed", downtimeEndTimestamp = "DowntimeEndTimestamp"
        case downtimeRemainingSeconds = "DowntimeRemainingSeconds", isBinlogServer = "IsBinlogServer"
        case pseudoGTIDImmediateTopology = "PseudoGTIDImmediateTopology"
        case oracleGTIDImmediateTopology = "OracleGTIDImmediateTopology"
        case mariaDBGTIDImmediateTopology = "MariaDBGTIDImmediateTopology"
        case binlogServerImmediateTopology = "BinlogServerImmediateTopology"
        case semiSyncMasterEnabled = "SemiSyncMasterEnabled", semiSyncMasterStatus = "SemiSyncMasterStatus"
        case semiSyncMasterWaitForReplicaCount = "SemiSyncMasterWaitForReplicaCount"
        case semiSyncMasterClients = "SemiSyncMasterClients"
        case countSemiSyncReplicasEnabled = "CountSemiSyncReplicasEnabled"
        case countLoggingReplicas = "CountLoggingReplicas"
        case countStatementBasedLoggingReplicas = "CountStatementBasedLoggingReplicas"
        case countMixedBasedLoggingReplicas = "CountMixedBasedLoggingReplicas"
        case countRowBasedLoggingReplicas = "CountRowBasedLoggingReplicas"
        case countDistinctMajorVersionsLoggingReplicas = "CountDistinctMajorVersionsLoggingReplicas"
        case countDelayedReplicas = "CountDelayedReplicas", countLaggingReplicas = "CountLaggingReplicas"
        case isActionableRecovery = "IsActionableRecovery", processingNodeHostname = "ProcessingNodeHostname"
        case processingNodeToken = "ProcessingNodeToken"
        case countAdditionalAgreeingNodes = "CountAdditionalAgreeingNodes"
        case startActivePeriod = "StartActivePeriod", skippableDueToDowntime = "SkippableDueToDowntime"
        case gtidMode = "GTIDMode", minReplicaGTIDMode = "MinReplicaGTIDMode"
        case maxReplicaGTIDMode = "MaxReplicaGTIDMode", maxReplicaGTIDErrant = "MaxReplicaGTIDErrant"
        case commandHint = "CommandHint", isReadOnly = "IsReadOnly", reasons = "Reasons"
    }

    init(
        instance: Instance, facts: AnalysisFacts, code: AnalysisCode, trigger: String?,
        warnings: [StructureWarning], downtime: Downtime?, cluster: ClusterInfo, replicas: [InstanceKey], now: Date
    ) {
        let semiSync = instance.facts.semiSync
        analyzedInstanceKey = instance.key
        analyzedInstanceMasterKey = instance.sourceKey ?? InstanceKey(hostname: "", port: 0)
        clusterDetails = cluster
        analyzedInstanceDataCenter = instance.dataCenter
        analyzedInstanceRegion = instance.region
        analyzedInstancePhysicalEnvironment = instance.physicalEnvironment
        analyzedInstanceBinlogCoordinates = BinlogCoordinates(
            logFile: instance.facts.binlogFile, logPos: instance.facts.binlogPosition)
        isMaster = facts.isPrimary
        isCoMaster = facts.isCoPrimary
        lastCheckValid = facts.lastCheckValid
        lastCheckPartialSuccess = facts.lastCheckPartial
        countReplicas = facts.countReplicas
        countValidReplicas = facts.countValidReplicas
        countValidReplicatingReplicas = facts.countValidReplicatingReplicas
        countReplicasFailingToConnectToMaster = facts.countReplicasFailingToConnect
        countDowntimedReplicas = facts.countDowntimedReplicas
        replicationDepth = facts.replicationDepth
        self.replicas = replicas
        slaveHosts = replicas
        isFailingToConnectToMaster = facts.isFailingToConnectToSource
        analysis = code
        description = code.explanation
        structureAnalysis = warnings
        isDowntimed = downtime != nil
        isReplicasDowntimed =
            code.isReplicaCentric && facts.countReplicas > 0 && facts.countDowntimedReplicas == facts.countReplicas
        skippableDueToDowntime = isDowntimed || isReplicasDowntimed
        downtimeEndTimestamp = downtime.map { OrchestratorTimestamp.format($0.endsAt) } ?? ""
        downtimeRemainingSeconds = downtime.map { max(0, Int($0.endsAt.timeIntervalSince(now).rounded(.down))) } ?? 0
        oracleGTIDImmediateTopology = facts.oracleGTIDImmediateTopology
        mariaDBGTIDImmediateTopology = facts.mariaDBGTIDImmediateTopology
        semiSyncMasterEnabled = semiSync.sourceEnabled
        semiSyncMasterStatus = semiSync.sourceStatus
        semiSyncMasterWaitForReplicaCount = semiSync.sourceWaitForReplicaCount
        semiSyncMasterClients = semiSync.sourceClients
        countSemiSyncReplicasEnabled = facts.countSemiSyncReplicasEnabled
        countLoggingReplicas = facts.countLoggingReplicas
        countStatementBasedLoggingReplicas = facts.countStatementBasedLoggingReplicas
        countMixedBasedLoggingReplicas = facts.countMixedBasedLoggingReplicas
        countRowBasedLoggingReplicas = facts.countRowBasedLoggingReplicas
        countDistinctMajorVersionsLoggingReplicas = facts.countDistinctMajorVersionsLoggingReplicas
        countDelayedReplicas = facts.countDelayedReplicas
        countLaggingReplicas = facts.countLaggingReplicas
        isActionableRecovery = code.isActionable
        gtidMode = facts.gtidMode
        minReplicaGTIDMode = facts.minReplicaGTIDMode
        maxReplicaGTIDMode = facts.maxReplicaGTIDMode
        maxReplicaGTIDErrant = facts.maxReplicaGTIDErrant
        isReadOnly = facts.isReadOnly
        reasons = [trigger.map { "rule: \($0)" } ?? "no rule matched"] + facts.summary
    }
}

extension ReplicationAnalysis {
    /// orchestrator-client's `replication-analysis` line: `host:port (cluster NAME): Code, Warning, …`.
    /// For `NoProblem` only the warnings are listed (or `NoProblem` when there are none); a warning with the same
    /// name as the code (`NoWriteableMasterStructureWarning`) is not repeated.
    public var summaryLine: String {
        var items = structureAnalysis.map(\.rawValue)
        if analysis != .noProblem {
            items = [analysis.rawValue] + items.filter { $0 != analysis.rawValue }
        } else if items.isEmpty {
            items = [analysis.rawValue]
        }
        return "\(analyzedInstanceKey) (cluster \(clusterDetails.clusterName)): \(items.joined(separator: ", "))"
    }

    /// Whether the row has a problem or a structure warning (rows without are hidden by orchestrator's CLI).
    public var hasProblemOrWarning: Bool { analysis != .noProblem || !structureAnalysis.isEmpty }
}
