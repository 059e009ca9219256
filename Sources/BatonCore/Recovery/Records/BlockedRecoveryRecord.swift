import Foundation

/// An automatic recovery the gate refused, kept per failed instance (the latest refusal).
public struct BlockedRecoveryRecord: Sendable, Equatable {
    public var failedKey: InstanceKey
    public var clusterName: String
    public var analysis: AnalysisCode
    public var lastBlockedAt: Date
    public var blockingRecoveryID: Int64?
    public var reason: String

    public init(
        failedKey: InstanceKey, clusterName: String, analysis: AnalysisCode, lastBlockedAt: Date, blockingRecoveryID: Int64?,
        reason: String
    ) {
        self.failedKey = failedKey
        self.clusterName = clusterName
        self.analysis = analysis
        self.lastBlockedAt = lastBlockedAt
        self.blockingRecoveryID = blockingRecoveryID
        self.reason = reason
    }
}
