import Foundation

/// A recovery as the API returns it: orchestrator's `TopologyRecovery` field names (`audit-recovery`,
/// `active-cluster-recovery`, the `Details` of `force-master-failover` and `graceful-master-takeover`), plus Baton's
/// `Command`, `IsAttempted`, `PolicyHash` and `Confirmation`.
public struct TopologyRecoveryDocument: Codable, Sendable, Equatable {
    public var id: Int64
    public var uid: String
    public var analysisEntry: ReplicationAnalysis?
    public var successorKey: InstanceKey?
    public var successorAlias: String
    public var isActive: Bool
    public var isSuccessful: Bool
    public var lostReplicas: [InstanceKey]
    public var participatingInstanceKeys: [InstanceKey]
    public var allErrors: [String]
    public var recoveryStartTimestamp: String
    public var recoveryEndTimestamp: String
    public var processingNodeHostname: String
    public var processingNodeToken: String
    public var acknowledged: Bool
    public var acknowledgedAt: String
    public var acknowledgedBy: String
    public var acknowledgedComment: String
    public var lastDetectionId: Int64
    public var relatedRecoveryId: Int64
    /// `MasterRecovery` or `IntermediateMasterRecovery`.
    public var type: String
    /// `MasterRecoveryGTID` for a primary (Baton repoints by GTID only), `NotMasterRecovery` otherwise.
    public var recoveryType: String
    public var command: String
    /// False when the recovery stopped before changing any server.
    public var isAttempted: Bool
    public var policyHash: String
    /// The group's votes on the recovery (a JSON object); absent until recorded.
    public var confirmation: JSONValue?

    public init(
        id: Int64, uid: String, analysisEntry: ReplicationAnalysis?, successorKey: InstanceKey?, successorAlias: String,
        isActive: Bool, isSuccessful: Bool, lostReplicas: [InstanceKey], participatingInstanceKeys: [InstanceKey],
        allErrors: [String], recoveryStartTimestamp: String, recoveryEndTimestamp: String,
        processingNodeHostname: String, acknowledged: Bool, acknowledgedAt: String, acknowledgedBy: String,
        acknowledgedComment: String, lastDetectionId: Int64, type: String, command: String, isAttempted: Bool,
        policyHash: String, confirmation: JSONValue? = nil
    ) {
        self.id = id
        self.uid = uid
        self.analysisEntry = analysisEntry
        self.successorKey = successorKey
        self.successorAlias = successorAlias
        self.isActive = isActive
        self.isSuccessful = isSuccessful
        self.lostReplicas = lostReplicas
        self.participatingInstanceKeys = participatingInstanceKeys
        self.allErrors = allErrors
        self.recoveryStartTimestamp = recoveryStartTimestamp
        self.recoveryEndTimestamp = recoveryEndTimestamp
        self.processingNodeHostname = processingNodeHostname
        processingNodeToken = ""
        self.acknowledged = acknowledged
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedComment = acknowledgedComment
        self.lastDetectionId = lastDetectionId
        relatedRecoveryId = 0
        self.type = type
        recoveryType = type == "MasterRecovery" ? "MasterRecoveryGTID" : "NotMasterRecovery"
        self.command = command
        self.isAttempted = isAttempted
        self.policyHash = policyHash
        self.confirmation = confirmation
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", uid = "UID", analysisEntry = "AnalysisEntry", successorKey = "SuccessorKey"
        case successorAlias = "SuccessorAlias", isActive = "IsActive", isSuccessful = "IsSuccessful"
        case lostReplicas = "LostReplicas", participatingInstanceKeys = "ParticipatingInstanceKeys"
        case allErrors = "AllErrors", recoveryStartTimestamp = "RecoveryStartTimestamp"
        case recoveryEndTimestamp = "RecoveryEndTimestamp", processingNodeHostname = "ProcessingNodeHostname"
        case processingNodeToken = "ProcessingNodeToken", acknowledged = "Acknowledged"
        case acknowledgedAt = "AcknowledgedAt", acknowledgedBy = "AcknowledgedBy"
        case acknowledgedComment = "AcknowledgedComment", lastDetectionId = "LastDetectionId"
        case relatedRecoveryId = "RelatedRecoveryId", type = "Type", recoveryType = "RecoveryType"
        case command = "Command", isAttempted = "IsAttempted", policyHash = "PolicyHash"
        case confirmation = "Confirmation"
    }
}

/// One line of a recovery's audit trail (`audit-recovery-steps/:uid`).
public struct TopologyRecoveryStepDocument: Codable, Sendable, Equatable {
    public var id: Int64
    public var recoveryUID: String
    public var auditAt: String
    public var message: String

    public init(id: Int64, recoveryUID: String, auditAt: String, message: String) {
        self.id = id
        self.recoveryUID = recoveryUID
        self.auditAt = auditAt
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", recoveryUID = "RecoveryUID", auditAt = "AuditAt", message = "Message"
    }
}

/// A refused automatic recovery (`blocked-recoveries`), with Baton's `Reason`.
public struct BlockedRecoveryDocument: Codable, Sendable, Equatable {
    public var failedInstanceKey: InstanceKey
    public var clusterName: String
    public var analysis: String
    public var lastBlockedTimestamp: String
    public var blockingRecoveryId: Int64?
    public var reason: String

    public init(
        failedInstanceKey: InstanceKey, clusterName: String, analysis: String, lastBlockedTimestamp: String,
        blockingRecoveryId: Int64?, reason: String
    ) {
        self.failedInstanceKey = failedInstanceKey
        self.clusterName = clusterName
        self.analysis = analysis
        self.lastBlockedTimestamp = lastBlockedTimestamp
        self.blockingRecoveryId = blockingRecoveryId
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case failedInstanceKey = "FailedInstanceKey", clusterName = "ClusterName", analysis = "Analysis"
        case lastBlockedTimestamp = "LastBlockedTimestamp", blockingRecoveryId = "BlockingRecoveryId", reason = "Reason"
    }
}
