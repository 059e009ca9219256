import BatonCore

extension BatonConfiguration {
    /// The analysis settings of this configuration: the one mapping the daemon's detector, its `what-if` and the
    /// offline `baton policy test` all use, so the same file gives the same verdicts everywhere.
    public var analysisSettings: AnalysisSettings {
        AnalysisSettings(
            pollSeconds: discovery.instancePollSeconds,
            reasonableCheckSeconds: discovery.reasonableInstanceCheckSeconds,
            reasonableReplicationLagSeconds: detection.reasonableReplicationLagSeconds,
            reasonableLockedSemiSyncMasterSeconds: detection.reasonableLockedSemiSyncMasterSeconds,
            recoverNonWriteableMaster: detection.recoverNonWriteableMaster,
            enforceExactSemiSyncReplicas: detection.enforceExactSemiSyncReplicas)
    }
}
