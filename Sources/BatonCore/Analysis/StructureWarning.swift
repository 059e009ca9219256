/// A topology shape that is not a failure but limits or endangers recovery (orchestrator's `StructureAnalysis`).
/// Warnings are additive: a row carries every warning whose condition holds, in this declaration order.
public enum StructureWarning: String, Sendable, Codable, CaseIterable {
    case noLoggingReplicas = "NoLoggingReplicasStructureWarning"
    case noFailoverSupport = "NoFailoverSupportStructureWarning"
    case statementAndMixedLoggingReplicas = "StatementAndMixedLoggingReplicasStructureWarning"
    case statementAndRowLoggingReplicas = "StatementAndRowLoggingReplicasStructureWarning"
    case mixedAndRowLoggingReplicas = "MixedAndRowLoggingReplicasStructureWarning"
    case multipleMajorVersionsLoggingReplicas = "MultipleMajorVersionsLoggingReplicasStructureWarning"
    case differentGTIDModes = "DifferentGTIDModesStructureWarning"
    case errantGTID = "ErrantGTIDStructureWarning"
    case noWriteableMaster = "NoWriteableMasterStructureWarning"
    case notEnoughValidSemiSyncReplicas = "NotEnoughValidSemiSyncReplicasStructureWarning"

    /// What the warning means, for operators.
    public var explanation: String {
        switch self {
        case .noLoggingReplicas: "No replica of the primary has log_bin and log_slave_updates; none can be promoted"
        case .noFailoverSupport:
            "Replicas use neither GTID nor Pseudo-GTID nor binlog servers; failover cannot re-point them"
        case .statementAndMixedLoggingReplicas: "Logging replicas mix STATEMENT and MIXED binlog formats"
        case .statementAndRowLoggingReplicas: "Logging replicas mix STATEMENT and ROW binlog formats"
        case .mixedAndRowLoggingReplicas: "Logging replicas mix MIXED and ROW binlog formats"
        case .multipleMajorVersionsLoggingReplicas: "Logging replicas run more than one major version"
        case .differentGTIDModes: "The instance's gtid_mode differs from one of its replicas'"
        case .errantGTID: "A replica executed transactions its source does not have (errant GTID)"
        case .noWriteableMaster: "The primary is read_only"
        case .notEnoughValidSemiSyncReplicas:
            "Semi-sync is enabled on the primary but switched off for lack of acknowledging replicas"
        }
    }
}
