/// The configuration keys failure analysis reads, with orchestrator's defaults.
public struct AnalysisSettings: Hashable, Sendable {
    /// `InstancePollSeconds`: a check older than a poll interval plus `reasonableCheckSeconds` is invalid.
    public var pollSeconds: Int
    /// `ReasonableInstanceCheckSeconds`.
    public var reasonableCheckSeconds: Int
    /// `ReasonableReplicationLagSeconds`: a replica lagging more than this counts as lagging.
    public var reasonableReplicationLagSeconds: Int
    /// `ReasonableLockedSemiSyncMasterSeconds`; 0 means `reasonableReplicationLagSeconds`.
    public var reasonableLockedSemiSyncMasterSeconds: Int
    /// `RecoverNonWriteableMaster`: a read-only primary with replicating replicas becomes a primary code.
    public var recoverNonWriteableMaster: Bool
    /// `EnforceExactSemiSyncReplicas`: enables `MasterWithTooManySemiSyncReplicas`.
    public var enforceExactSemiSyncReplicas: Bool

    public init(
        pollSeconds: Int = 5, reasonableCheckSeconds: Int = 1, reasonableReplicationLagSeconds: Int = 10,
        reasonableLockedSemiSyncMasterSeconds: Int = 0, recoverNonWriteableMaster: Bool = false,
        enforceExactSemiSyncReplicas: Bool = false
    ) {
        self.pollSeconds = pollSeconds
        self.reasonableCheckSeconds = reasonableCheckSeconds
        self.reasonableReplicationLagSeconds = reasonableReplicationLagSeconds
        self.reasonableLockedSemiSyncMasterSeconds = reasonableLockedSemiSyncMasterSeconds
        self.recoverNonWriteableMaster = recoverNonWriteableMaster
        self.enforceExactSemiSyncReplicas = enforceExactSemiSyncReplicas
    }

    /// How long a semi-sync primary's binlog coordinates must stand still before it counts as locked.
    public var lockedSemiSyncMasterSeconds: Int {
        reasonableLockedSemiSyncMasterSeconds > 0 ? reasonableLockedSemiSyncMasterSeconds
            : reasonableReplicationLagSeconds
    }
}
