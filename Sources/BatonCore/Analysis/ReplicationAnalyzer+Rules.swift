/// One line of a decision table: when `condition` holds, the verdict is `code` (or the warning is raised).
public struct AnalysisRule<Verdict: Sendable>: Sendable {
    public var verdict: Verdict
    /// The condition in plain words, as orchestrator's documentation states it.
    public var trigger: String
    public var condition: @Sendable (AnalysisFacts) -> Bool

    public init(_ verdict: Verdict, _ trigger: String, when condition: @escaping @Sendable (AnalysisFacts) -> Bool) {
        self.verdict = verdict
        self.trigger = trigger
        self.condition = condition
    }
}

extension ReplicationAnalyzer {
    /// The analysis codes in orchestrator's evaluation order: the first rule whose condition holds decides the
    /// code; when none holds the code is `NoProblem`. (orchestrator's `BinlogServerFailingToConnectToMaster` and
    /// the Group Replication branch are left out: Baton manages neither binlog servers nor Group Replication.)
    public static let codeRules: [AnalysisRule<AnalysisCode>] = [
        // Primary unreachable.
        .init(.deadMasterWithoutReplicas, "primary unreachable, no replicas") {
            $0.isPrimary && !$0.lastCheckValid && $0.countReplicas == 0
        },
        .init(.deadMaster, "primary unreachable; all replicas reachable; none replicating") {
            $0.isPrimary && !$0.lastCheckValid && $0.countValidReplicas == $0.countReplicas
                && $0.countValidReplicatingReplicas == 0
        },
        .init(.deadMasterAndReplicas, "primary unreachable; has replicas; none reachable") {
            $0.isPrimary && !$0.lastCheckValid && $0.countReplicas > 0 && $0.countValidReplicas == 0
                && $0.countValidReplicatingReplicas == 0
        },
        .init(
            .deadMasterAndSomeReplicas,
            "primary unreachable; some replicas unreachable; reachable ones not replicating"
        ) {
            $0.isPrimary && !$0.lastCheckValid && $0.countValidReplicas < $0.countReplicas
                && $0.countValidReplicas > 0 && $0.countValidReplicatingReplicas == 0
        },
        .init(
            .unreachableMasterWithLaggingReplicas,
            "primary unreachable; all replicas lagging; not all delayed; at least one replicating"
        ) {
            $0.isPrimary && !$0.lastCheckValid && $0.countLaggingReplicas == $0.countReplicas
                && $0.countDelayedReplicas < $0.countReplicas && $0.countValidReplicatingReplicas > 0
        },
        .init(.unreachableMaster, "primary unreachable (not partially); some replicas replicating") {
            $0.isPrimary && !$0.lastCheckValid && !$0.lastCheckPartial && $0.countValidReplicas > 0
                && $0.countValidReplicatingReplicas > 0
        },
        .init(
            .unreachableMaster,
            "primary partially checked; some replicas failing to connect to it, some replicating"
        ) {
            $0.isPrimary && !$0.lastCheckValid && $0.lastCheckPartial && $0.countReplicasFailingToConnect > 0
                && $0.countValidReplicas > 0 && $0.countValidReplicatingReplicas > 0
        },
        // Primary semi-sync and read-only trouble (reachability not checked).
        .init(
            .lockedSemiSyncMaster,
            "semi-sync primary waiting for more acknowledging replicas; binlog coordinates stale"
        ) {
            $0.isPrimary && $0.isSemiSyncWaitingForReplicas && $0.isBinlogStale
        },
        .init(.lockedSemiSyncMasterHypothesis, "semi-sync primary waiting for more acknowledging replicas") {
            $0.isPrimary && $0.isSemiSyncWaitingForReplicas
        },
        .init(
            .masterWithTooManySemiSyncReplicas,
            "EnforceExactSemiSyncReplicas; more semi-sync replicas connected than the primary waits for"
        ) {
            $0.enforceExactSemiSyncReplicas && $0.isPrimary && $0.semiSyncSourceEnabled && $0.semiSyncSourceStatus
                && $0.semiSyncSourceWaitForReplicaCount > 0
                && $0.semiSyncSourceClients > $0.semiSyncSourceWaitForReplicaCount
        },
        .init(.noWriteableMaster, "RecoverNonWriteableMaster; primary reachable, read_only, replicas replicating") {
            $0.isPrimary && $0.lastCheckValid && $0.isReadOnly && $0.countValidReplicatingReplicas > 0
                && $0.recoverNonWriteableMaster
        },
        // Primary reachable, replicas not replicating.
        .init(.masterSingleReplicaNotReplicating, "primary reachable; its one replica reachable, not replicating") {
            $0.isPrimary && $0.lastCheckValid && $0.countReplicas == 1 && $0.countValidReplicas == $0.countReplicas
                && $0.countValidReplicatingReplicas == 0
        },
        .init(.masterSingleReplicaDead, "primary reachable; its one replica unreachable") {
            $0.isPrimary && $0.lastCheckValid && $0.countReplicas == 1 && $0.countValidReplicas == 0
        },
        .init(
            .allMasterReplicasNotReplicating, "primary reachable; several replicas, all reachable, none replicating"
        ) {
            $0.isPrimary && $0.lastCheckValid && $0.countReplicas > 1 && $0.countValidReplicas == $0.countReplicas
                && $0.countValidReplicatingReplicas == 0
        },
        .init(
            .allMasterReplicasNotReplicatingOrDead,
            "primary reachable; several replicas, some unreachable, none replicating"
        ) {
            $0.isPrimary && $0.lastCheckValid && $0.countReplicas > 1 && $0.countValidReplicas < $0.countReplicas
                && $0.countValidReplicas > 0 && $0.countValidReplicatingReplicas == 0
        },
        // Co-primaries.
        .init(.deadCoMaster, "co-primary unreachable; replicas all reachable, none replicating") {
            $0.isCoPrimary && !$0.lastCheckValid && $0.countReplicas > 0 && $0.countValidReplicas == $0.countReplicas
                && $0.countValidReplicatingReplicas == 0
        },
        .init(
            .deadCoMasterAndSomeReplicas, "co-primary unreachable; some replicas unreachable; none replicating"
        ) {
            $0.isCoPrimary && !$0.lastCheckValid && $0.countReplicas > 0 && $0.countValidReplicas < $0.countReplicas
                && $0.countValidReplicas > 0 && $0.countValidReplicatingReplicas == 0
        },
        .init(.unreachableCoMaster, "co-primary unreachable (not partially); some replicas replicating") {
            $0.isCoPrimary && !$0.lastCheckValid && !$0.lastCheckPartial && $0.countValidReplicas > 0
                && $0.countValidReplicatingReplicas > 0
        },
        .init(.allCoMasterReplicasNotReplicating, "co-primary reachable; has replicas; none replicating") {
            $0.isCoPrimary && $0.lastCheckValid && $0.countReplicas > 0 && $0.countValidReplicatingReplicas == 0
        },
        // Intermediate primaries (anything with a source, co-primaries included).
        .init(
            .deadIntermediateMasterWithSingleReplicaFailingToConnect,
            "intermediate primary unreachable; its one replica reachable and failing to connect"
        ) {
            !$0.isPrimary && !$0.lastCheckValid && $0.countReplicas == 1 && $0.countValidReplicas == $0.countReplicas
                && $0.countReplicasFailingToConnect == $0.countReplicas && $0.countValidReplicatingReplicas == 0
        },
        .init(
            .deadIntermediateMasterWithSingleReplica,
            "intermediate primary unreachable; its one replica reachable, not replicating"
        ) {
            !$0.isPrimary && !$0.lastCheckValid && $0.countReplicas == 1 && $0.countValidReplicas == $0.countReplicas
                && $0.countValidReplicatingReplicas == 0
        },
        .init(
            .deadIntermediateMaster,
            "intermediate primary unreachable; several replicas, all reachable, none replicating"
        ) {
            !$0.isPrimary && !$0.lastCheckValid && $0.countReplicas > 1 && $0.countValidReplicas == $0.countReplicas
                && $0.countValidReplicatingReplicas == 0
        },
        .init(
            .deadIntermediateMasterAndSomeReplicas,
            "intermediate primary unreachable; some replicas unreachable; none replicating"
        ) {
            !$0.isPrimary && !$0.lastCheckValid && $0.countValidReplicas < $0.countReplicas
                && $0.countValidReplicas > 0 && $0.countValidReplicatingReplicas == 0
        },
        .init(.deadIntermediateMasterAndReplicas, "intermediate primary unreachable; has replicas; none reachable") {
            !$0.isPrimary && !$0.lastCheckValid && $0.countReplicas > 0 && $0.countValidReplicas == 0
        },
        .init(
            .unreachableIntermediateMasterWithLaggingReplicas,
            "intermediate primary unreachable; all replicas lagging; not all delayed; at least one replicating"
        ) {
            !$0.isPrimary && !$0.lastCheckValid && $0.countLaggingReplicas == $0.countReplicas
                && $0.countDelayedReplicas < $0.countReplicas && $0.countValidReplicatingReplicas > 0
        },
        .init(
            .unreachableIntermediateMaster,
            "intermediate primary unreachable (not partially); some replicas replicating"
        ) {
            !$0.isPrimary && !$0.lastCheckValid && !$0.lastCheckPartial && $0.countValidReplicas > 0
                && $0.countValidReplicatingReplicas > 0
        },
        .init(
            .allIntermediateMasterReplicasFailingToConnectOrDead,
            "intermediate primary reachable; several replicas; every reachable one failing to connect (at least one)"
        ) {
            !$0.isPrimary && $0.lastCheckValid && $0.countReplicas > 1 && $0.countValidReplicatingReplicas == 0
                && $0.countReplicasFailingToConnect > 0 && $0.countReplicasFailingToConnect == $0.countValidReplicas
        },
        .init(
            .allIntermediateMasterReplicasNotReplicating,
            "intermediate primary reachable; has replicas; none replicating"
        ) {
            !$0.isPrimary && $0.lastCheckValid && $0.countReplicas > 0 && $0.countValidReplicatingReplicas == 0
        },
        // Replicas.
        .init(.firstTierReplicaFailingToConnectToMaster, "direct replica of the primary failing to connect to it") {
            $0.replicationDepth == 1 && $0.isFailingToConnectToSource
        },
    ]

    /// The structure warnings in orchestrator's order; every warning whose condition holds is reported.
    public static let warningRules: [AnalysisRule<StructureWarning>] = [
        .init(.noLoggingReplicas, "primary with several replicas, none with log_bin and log_slave_updates") {
            $0.isPrimary && $0.countReplicas > 1 && $0.countLoggingReplicas == 0
        },
        .init(.noFailoverSupport, "primary with several replicas not all using GTID") {
            $0.isPrimary && $0.countReplicas > 1 && !$0.oracleGTIDImmediateTopology
                && !$0.mariaDBGTIDImmediateTopology
        },
        .init(.statementAndMixedLoggingReplicas, "logging replicas use STATEMENT and MIXED") {
            $0.countStatementBasedLoggingReplicas > 0 && $0.countMixedBasedLoggingReplicas > 0
        },
        .init(.statementAndRowLoggingReplicas, "logging replicas use STATEMENT and ROW") {
            $0.countStatementBasedLoggingReplicas > 0 && $0.countRowBasedLoggingReplicas > 0
        },
        .init(.mixedAndRowLoggingReplicas, "logging replicas use MIXED and ROW") {
            $0.countMixedBasedLoggingReplicas > 0 && $0.countRowBasedLoggingReplicas > 0
        },
        .init(.multipleMajorVersionsLoggingReplicas, "logging replicas run several major versions") {
            $0.countDistinctMajorVersionsLoggingReplicas > 1
        },
        .init(.differentGTIDModes, "gtid_mode differs from a replica's") {
            $0.countReplicas > 0 && ($0.gtidMode != $0.minReplicaGTIDMode || $0.gtidMode != $0.maxReplicaGTIDMode)
        },
        .init(.errantGTID, "a replica that is not downtimed has errant GTIDs") {
            !$0.maxReplicaGTIDErrant.isEmpty
        },
        .init(.noWriteableMaster, "primary is read_only") {
            $0.isPrimary && $0.isReadOnly
        },
        .init(.notEnoughValidSemiSyncReplicas, "semi-sync enabled on the primary but off, too few replicas") {
            $0.isPrimary && $0.semiSyncSourceEnabled && !$0.semiSyncSourceStatus
                && $0.semiSyncSourceWaitForReplicaCount > 0
                && $0.semiSyncSourceClients < $0.semiSyncSourceWaitForReplicaCount
        },
    ]

    /// The first code rule that holds, or `nil` for `NoProblem`.
    public static func firstMatchingRule(_ facts: AnalysisFacts) -> AnalysisRule<AnalysisCode>? {
        codeRules.first { $0.condition(facts) }
    }

    /// The code the rules give for `facts`.
    public static func code(for facts: AnalysisFacts) -> AnalysisCode {
        firstMatchingRule(facts)?.verdict ?? .noProblem
    }

    /// Every structure warning whose condition holds, in table order.
    public static func structureWarnings(for facts: AnalysisFacts) -> [StructureWarning] {
        warningRules.filter { $0.condition(facts) }.map(\.verdict)
    }
}
