import Foundation

extension TopologyRecoveryDocument {
    /// A stored recovery as the API returns it. `isActive` is orchestrator's "in active period", which depends on
    /// `RecoveryPeriodBlockSeconds` and the time of the request (`RecoveryRecord.isInActivePeriod`).
    public init(_ record: RecoveryRecord, isActive: Bool) {
        self.init(
            id: record.id, uid: record.uid,
            analysisEntry: try? JSONDecoder().decode(ReplicationAnalysis.self, from: record.analysisDocument),
            successorKey: record.successor, successorAlias: record.successorAlias, isActive: isActive,
            isSuccessful: record.isSuccessful, lostReplicas: record.lostReplicas,
            participatingInstanceKeys: record.participatingInstances, allErrors: record.errors,
            recoveryStartTimestamp: OrchestratorTimestamp.format(record.startedAt),
            recoveryEndTimestamp: record.endedAt.map(OrchestratorTimestamp.format) ?? "",
            processingNodeHostname: record.processingNode, acknowledged: record.acknowledged,
            acknowledgedAt: record.acknowledgedAt.map(OrchestratorTimestamp.format) ?? "",
            acknowledgedBy: record.acknowledgedBy, acknowledgedComment: record.acknowledgedComment,
            lastDetectionId: record.lastDetectionID, type: record.kind.rawValue, command: record.command,
            isAttempted: record.attempted, policyHash: record.policyHash,
            confirmation: Self.confirmation(record.confirmationDocument))
    }

    /// The stored votes when they are a JSON object; `nil` (no field) when empty or not an object.
    static func confirmation(_ document: Data) -> JSONValue? {
        guard !document.isEmpty, let value = try? JSONDecoder().decode(JSONValue.self, from: document),
            case .object = value
        else { return nil }
        return value
    }
}

extension BlockedRecoveryDocument {
    /// A refused automatic recovery as `blocked-recoveries` returns it.
    public init(_ record: BlockedRecoveryRecord) {
        self.init(
            failedInstanceKey: record.failedKey, clusterName: record.clusterName, analysis: record.analysis.rawValue,
            lastBlockedTimestamp: OrchestratorTimestamp.format(record.lastBlockedAt),
            blockingRecoveryId: record.blockingRecoveryID, reason: record.reason)
    }
}

extension RecoveryRecord {
    /// orchestrator's "in active period": running, or attempted and ended within `blockSeconds` of `now`, and not
    /// acknowledged.
    public func isInActivePeriod(blockSeconds: Int, now: Date) -> Bool {
        guard !acknowledged else { return false }
        guard let ended = endedAt else { return true }
        return attempted && ended.addingTimeInterval(TimeInterval(blockSeconds)) > now
    }

    /// Running, or ended within `blockSeconds` of `now` (acknowledged or not).
    public func isRecentlyActive(blockSeconds: Int, now: Date) -> Bool {
        guard let ended = endedAt else { return true }
        return ended.addingTimeInterval(TimeInterval(blockSeconds)) > now
    }
}
