import BatonCore
import Foundation

/// A failure detection as `audit-failure-detection` returns it (orchestrator's TopologyRecovery shape, with the
/// fields a detection has).
struct FailureDetectionDocument: Codable, Sendable {
    var id: Int64
    var analysisEntry: ReplicationAnalysis?
    var isActive: Bool
    var recoveryStartTimestamp: String
    var recoveryEndTimestamp: String
    var processingNodeHostname: String

    init(_ record: FailureDetectionRecord, now: Date, nodeHostname: String) {
        id = record.id
        analysisEntry = try? JSONDecoder().decode(ReplicationAnalysis.self, from: record.document)
        isActive = record.isActive(at: now)
        recoveryStartTimestamp = OrchestratorTimestamp.format(record.detectedAt)
        recoveryEndTimestamp = isActive ? "" : OrchestratorTimestamp.format(record.endsActivePeriod)
        processingNodeHostname = nodeHostname
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", analysisEntry = "AnalysisEntry", isActive = "IsActive"
        case recoveryStartTimestamp = "RecoveryStartTimestamp", recoveryEndTimestamp = "RecoveryEndTimestamp"
        case processingNodeHostname = "ProcessingNodeHostname"
    }
}

/// One instance's recent analysis codes, as `replication-analysis-changelog` returns them.
struct AnalysisChangelogDocument: Codable, Sendable {
    var analyzedInstanceKey: InstanceKey
    var changelog: [String]

    enum CodingKeys: String, CodingKey {
        case analyzedInstanceKey = "AnalyzedInstanceKey", changelog = "Changelog"
    }
}
