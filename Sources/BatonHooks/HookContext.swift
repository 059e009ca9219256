import BatonCore

/// The facts of one recovery that a hook receives: as `{placeholders}`, as `ORC_*`/`BATON_*` environment variables
/// and, encoded as JSON, on standard input.
///
/// Holds no credentials and must never hold any: every field ends up in a hook's argv, environment or stdin.
public struct HookContext: Sendable, Hashable, Codable {
    /// What started the recovery: `recover`, `force-master-failover`, `graceful-master-takeover`, … or empty.
    public var command: String
    /// The analysis code, orchestrator's `{failureType}` (a graceful takeover presents itself as `DeadMaster`).
    public var failureType: AnalysisCode
    /// `master`, `co-master`, `intermediate-master` or `group-member`.
    public var instanceType: String
    public var isMaster: Bool
    public var isCoMaster: Bool
    public var failureDescription: String
    public var failedInstance: InstanceKey
    public var failureCluster: String
    public var failureClusterAlias: String
    public var failureClusterDomain: String
    /// The failed instance's replicas as the analysis saw them.
    public var replicaHosts: [InstanceKey]
    /// orchestrator's `CountReplicas` of the analysis (usually `replicaHosts.count`).
    public var countReplicas: Int
    public var isDowntimed: Bool
    public var autoMasterRecovery: Bool
    public var autoIntermediateMasterRecovery: Bool
    /// The Baton node running the hook (orchestrator's `{orchestratorHost}`).
    public var orchestratorHost: String
    public var recoveryUID: String
    /// The promoted or adopting instance, once chosen; `nil` leaves the successor placeholders literal and omits the
    /// `ORC_SUCCESSOR_*` variables.
    public var successor: InstanceKey?
    public var successorAlias: String?
    public var successorBinlogCoordinates: BinlogCoordinates?
    public var lostReplicas: [InstanceKey]
    public var isSuccessful: Bool
    public var errors: [String]
    /// The phase being run; `HookRunner` sets it.
    public var phase: HookPhase?

    public init(
        command: String, failureType: AnalysisCode, instanceType: String, isMaster: Bool, isCoMaster: Bool = false,
        failureDescription: String, failedInstance: InstanceKey, failureCluster: String,
        failureClusterAlias: String = "", failureClusterDomain: String = "", replicaHosts: [InstanceKey] = [],
        countReplicas: Int? = nil, isDowntimed: Bool = false, autoMasterRecovery: Bool = false,
        autoIntermediateMasterRecovery: Bool = false, orchestratorHost: String, recoveryUID: String,
        successor: InstanceKey? = nil, successorAlias: String? = nil,
        successorBinlogCoordinates: BinlogCoordinates? = nil, lostReplicas: [InstanceKey] = [],
        isSuccessful: Bool = false, errors: [String] = [], phase: HookPhase? = nil
    ) {
        self.command = command
        self.failureType = failureType
        self.instanceType = instanceType
        self.isMaster = isMaster
        self.isCoMaster = isCoMaster
        self.failureDescription = failureDescription
        self.failedInstance = failedInstance
        self.failureCluster = failureCluster
        self.failureClusterAlias = failureClusterAlias
        self.failureClusterDomain = failureClusterDomain
        self.replicaHosts = replicaHosts
        self.countReplicas = countReplicas ?? replicaHosts.count
        self.isDowntimed = isDowntimed
        self.autoMasterRecovery = autoMasterRecovery
        self.autoIntermediateMasterRecovery = autoIntermediateMasterRecovery
        self.orchestratorHost = orchestratorHost
        self.recoveryUID = recoveryUID
        self.successor = successor
        self.successorAlias = successorAlias
        self.successorBinlogCoordinates = successorBinlogCoordinates
        self.lostReplicas = lostReplicas
        self.isSuccessful = isSuccessful
        self.errors = errors
        self.phase = phase
    }

    enum CodingKeys: String, CodingKey {
        case command = "Command"
        case failureType = "FailureType"
        case instanceType = "InstanceType"
        case isMaster = "IsMaster"
        case isCoMaster = "IsCoMaster"
        case failureDescription = "FailureDescription"
        case failedInstance = "FailedInstanceKey"
        case failureCluster = "FailureCluster"
        case failureClusterAlias = "FailureClusterAlias"
        case failureClusterDomain = "FailureClusterDomain"
        case replicaHosts = "ReplicaHosts"
        case countReplicas = "CountReplicas"
        case isDowntimed = "IsDowntimed"
        case autoMasterRecovery = "AutoMasterRecovery"
        case autoIntermediateMasterRecovery = "AutoIntermediateMasterRecovery"
        case orchestratorHost = "OrchestratorHost"
        case recoveryUID = "RecoveryUID"
        case successor = "SuccessorKey"
        case successorAlias = "SuccessorAlias"
        case successorBinlogCoordinates = "SuccessorBinlogCoordinates"
        case lostReplicas = "LostReplicas"
        case isSuccessful = "IsSuccessful"
        case errors = "AllErrors"
        case phase = "Phase"
    }
}
