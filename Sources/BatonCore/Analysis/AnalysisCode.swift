/// What failure analysis concluded about one instance, with orchestrator's names (`GET /api/replication-analysis`
/// returns them as `Analysis`).
///
/// `ReplicationAnalyzer.rules` decides which code applies; this type only names the codes and says how
/// orchestrator handles each one.
public enum AnalysisCode: String, Sendable, Codable, CaseIterable {
    case noProblem = "NoProblem"
    case deadMasterWithoutReplicas = "DeadMasterWithoutReplicas"
    case deadMaster = "DeadMaster"
    case deadMasterAndReplicas = "DeadMasterAndReplicas"
    case deadMasterAndSomeReplicas = "DeadMasterAndSomeReplicas"
    case unreachableMasterWithLaggingReplicas = "UnreachableMasterWithLaggingReplicas"
    case unreachableMaster = "UnreachableMaster"
    case lockedSemiSyncMaster = "LockedSemiSyncMaster"
    case lockedSemiSyncMasterHypothesis = "LockedSemiSyncMasterHypothesis"
    case masterWithTooManySemiSyncReplicas = "MasterWithTooManySemiSyncReplicas"
    /// Used as a primary code only when `RecoverNonWriteableMaster` is on; otherwise it is a structure warning.
    case noWriteableMaster = "NoWriteableMasterStructureWarning"
    case masterSingleReplicaNotReplicating = "MasterSingleReplicaNotReplicating"
    case masterSingleReplicaDead = "MasterSingleReplicaDead"
    case allMasterReplicasNotReplicating = "AllMasterReplicasNotReplicating"
    case allMasterReplicasNotReplicatingOrDead = "AllMasterReplicasNotReplicatingOrDead"
    case deadCoMaster = "DeadCoMaster"
    case deadCoMasterAndSomeReplicas = "DeadCoMasterAndSomeReplicas"
    case unreachableCoMaster = "UnreachableCoMaster"
    case allCoMasterReplicasNotReplicating = "AllCoMasterReplicasNotReplicating"
    case deadIntermediateMaster = "DeadIntermediateMaster"
    case deadIntermediateMasterWithSingleReplica = "DeadIntermediateMasterWithSingleReplica"
    case deadIntermediateMasterWithSingleReplicaFailingToConnect =
        "DeadIntermediateMasterWithSingleReplicaFailingToConnect"
    case deadIntermediateMasterAndSomeReplicas = "DeadIntermediateMasterAndSomeReplicas"
    case deadIntermediateMasterAndReplicas = "DeadIntermediateMasterAndReplicas"
    case unreachableIntermediateMasterWithLaggingReplicas = "UnreachableIntermediateMasterWithLaggingReplicas"
    case unreachableIntermediateMaster = "UnreachableIntermediateMaster"
    case allIntermediateMasterReplicasFailingToConnectOrDead = "AllIntermediateMasterReplicasFailingToConnectOrDead"
    case allIntermediateMasterReplicasNotReplicating = "AllIntermediateMasterReplicasNotReplicating"
    case firstTierReplicaFailingToConnectToMaster = "FirstTierReplicaFailingToConnectToMaster"

    /// How orchestrator's `getCheckAndRecoverFunction` treats the code.
    public var handler: AnalysisHandler {
        switch self {
        case .deadMaster, .deadMasterAndSomeReplicas, .lockedSemiSyncMaster, .masterWithTooManySemiSyncReplicas,
            .noWriteableMaster, .deadCoMaster, .deadCoMasterAndSomeReplicas,
            .deadIntermediateMasterWithSingleReplicaFailingToConnect, .deadIntermediateMaster,
            .deadIntermediateMasterAndSomeReplicas, .allIntermediateMasterReplicasFailingToConnectOrDead:
            .recover
        case .deadMasterAndReplicas, .unreachableMasterWithLaggingReplicas, .unreachableMaster,
            .allMasterReplicasNotReplicating, .allMasterReplicasNotReplicatingOrDead,
            .deadIntermediateMasterAndReplicas, .unreachableIntermediateMasterWithLaggingReplicas:
            .detectOnly
        case .noProblem, .deadMasterWithoutReplicas, .lockedSemiSyncMasterHypothesis,
            .masterSingleReplicaNotReplicating, .masterSingleReplicaDead, .unreachableCoMaster,
            .allCoMasterReplicasNotReplicating, .deadIntermediateMasterWithSingleReplica,
            .unreachableIntermediateMaster, .allIntermediateMasterReplicasNotReplicating,
            .firstTierReplicaFailingToConnectToMaster:
            .none
        }
    }

    /// Whether a recovery exists for the code (orchestrator's "Recover" handlers).
    public var isActionable: Bool { handler == .recover }

    /// Codes about the analysed instance's replicas rather than the instance itself: when every replica is
    /// downtimed, such a row is marked `IsReplicasDowntimed` and skippable.
    public var isReplicaCentric: Bool {
        switch self {
        case .allMasterReplicasNotReplicating, .allMasterReplicasNotReplicatingOrDead, .masterSingleReplicaDead,
            .allCoMasterReplicasNotReplicating, .deadIntermediateMasterWithSingleReplica,
            .deadIntermediateMasterWithSingleReplicaFailingToConnect, .deadIntermediateMasterAndReplicas,
            .deadIntermediateMasterAndSomeReplicas, .deadIntermediateMaster,
            .allIntermediateMasterReplicasFailingToConnectOrDead, .allIntermediateMasterReplicasNotReplicating:
            true
        default:
            false
        }
    }

    /// orchestrator's human description of the code (the `Description` field); empty for `NoProblem`.
    public var explanation: String {
        switch self {
        case .noProblem: ""
        case .deadMasterWithoutReplicas: "Master cannot be reached by orchestrator and has no replica"
        case .deadMaster: "Master cannot be reached by orchestrator and none of its replicas is replicating"
        case .deadMasterAndReplicas: "Master cannot be reached by orchestrator and none of its replicas is replicating"
        case .deadMasterAndSomeReplicas:
            "Master cannot be reached by orchestrator; some of its replicas are unreachable and none of its "
                + "reachable replicas is replicating"
        case .unreachableMasterWithLaggingReplicas:
            "Master cannot be reached by orchestrator and all of its replicas are lagging"
        case .unreachableMaster:
            "Master cannot be reached by orchestrator but it has replicating replicas; possibly a network/host issue"
        case .lockedSemiSyncMaster:
            "Semi sync master is locked since it doesn't get enough replica acknowledgements"
        case .lockedSemiSyncMasterHypothesis: "Semi sync master seems to be locked, more samplings needed to validate"
        case .masterWithTooManySemiSyncReplicas: "Semi sync master has more semi sync replicas than configured"
        case .noWriteableMaster: "Master with replicas is read_only"
        case .masterSingleReplicaNotReplicating: "Master is reachable but its single replica is not replicating"
        case .masterSingleReplicaDead: "Master is reachable but its single replica is dead"
        case .allMasterReplicasNotReplicating: "Master is reachable but none of its replicas is replicating"
        case .allMasterReplicasNotReplicatingOrDead: "Master is reachable but none of its replicas is replicating"
        case .deadCoMaster: "Co-master cannot be reached by orchestrator and none of its replicas is replicating"
        case .deadCoMasterAndSomeReplicas:
            "Co-master cannot be reached by orchestrator; some of its replicas are unreachable and none of its "
                + "reachable replicas is replicating"
        case .unreachableCoMaster:
            "Co-master cannot be reached by orchestrator but it has replicating replicas; possibly a network/host "
                + "issue"
        case .allCoMasterReplicasNotReplicating: "Co-master is reachable but none of its replicas is replicating"
        case .deadIntermediateMaster:
            "Intermediate master cannot be reached by orchestrator and none of its replicas is replicating"
        case .deadIntermediateMasterWithSingleReplica:
            "Intermediate master cannot be reached by orchestrator and its (single) replica is not replicating"
        case .deadIntermediateMasterWithSingleReplicaFailingToConnect:
            "Intermediate master cannot be reached by orchestrator and its (single) replica is failing to connect"
        case .deadIntermediateMasterAndSomeReplicas:
            "Intermediate master cannot be reached by orchestrator; some of its replicas are unreachable and none "
                + "of its reachable replicas is replicating"
        case .deadIntermediateMasterAndReplicas:
            "Intermediate master cannot be reached by orchestrator and all of its replicas are unreachable"
        case .unreachableIntermediateMasterWithLaggingReplicas:
            "Intermediate master cannot be reached by orchestrator and all of its replicas are lagging"
        case .unreachableIntermediateMaster:
            "Intermediate master cannot be reached by orchestrator but it has replicating replicas; possibly a "
                + "network/host issue"
        case .allIntermediateMasterReplicasFailingToConnectOrDead:
            "Intermediate master is reachable but all of its replicas are failing to connect"
        case .allIntermediateMasterReplicasNotReplicating:
            "Intermediate master is reachable but none of its replicas is replicating"
        case .firstTierReplicaFailingToConnectToMaster:
            "1st tier replica (directly replicating from topology master) is unable to connect to the master"
        }
    }
}

/// How orchestrator reacts to an analysis code.
public enum AnalysisHandler: String, Sendable, Codable {
    /// A recovery function exists (it may still be gated by cluster filters or settings).
    case recover
    /// A failure detection is registered and detection hooks run, but nothing is recovered.
    case detectOnly
    /// Not handled: no detection, no hooks.
    case none
}
