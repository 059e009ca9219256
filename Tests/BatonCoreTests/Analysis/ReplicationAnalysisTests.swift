import BatonCore
import Foundation
import Testing

@Suite struct ReplicationAnalysisTests {
    @Test func rowsAreSortedByClusterThenKeyWhateverTheInputOrder() {
        // Cluster 127.0.0.1:10 (10 → 12 → 15) and cluster 127.0.0.1:5 (5 → 7), given out of order.
        let nodes: [Node] = [
            .replica(15, of: 12).failingToConnect, .replica(7, of: 5), .primary(5), .replica(12, of: 10),
            .primary(10), .replica(16, of: 12),
        ]
        let rows = AnalysisSketch.analyze(nodes)
        #expect(rows.map(\.analyzedInstanceKey.port) == [10, 12, 5])
        #expect(rows.map(\.clusterDetails.clusterName) == ["127.0.0.1:10", "127.0.0.1:10", "127.0.0.1:5"])
        #expect(AnalysisSketch.analyze(nodes.reversed()) == rows)
        #expect(rows[0].clusterDetails.countInstances == 4)
        #expect(rows[1].replicas.map(\.port) == [15, 16])
    }

    @Test func analysesPrimariesCoPrimariesIntermediatesAndFailingFirstTierReplicas() {
        let nodes: [Node] = [
            .primary(1), .replica(2, of: 1), .replica(3, of: 2), .replica(4, of: 1).failingToConnect,
            .replica(5, of: 6), .replica(6, of: 5), .primary(7),
        ]
        #expect(AnalysisSketch.analyze(nodes).map(\.analyzedInstanceKey.port) == [1, 2, 4, 5, 6, 7])
    }

    @Test func usesOrchestratorFieldNames() throws {
        let row = try #require(
            AnalysisSketch.row(1, in: [.primary(1).dead.dataCenter("dc1"), .replica(2, of: 1).failingToConnect]))
        let object = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(row)) as? [String: Any])
        let expected = """
            AnalyzedInstanceKey AnalyzedInstanceMasterKey ClusterDetails AnalyzedInstanceDataCenter \
            AnalyzedInstanceRegion AnalyzedInstancePhysicalEnvironment AnalyzedInstanceBinlogCoordinates IsMaster \
            IsReplicationGroupMember IsCoMaster LastCheckValid LastCheckPartialSuccess CountReplicas \
            CountValidReplicas CountValidReplicatingReplicas CountReplicasFailingToConnectToMaster \
            CountDowntimedReplicas ReplicationDepth Replicas SlaveHosts IsFailingToConnectToMaster Analysis \
            Description StructureAnalysis IsDowntimed IsReplicasDowntimed DowntimeEndTimestamp \
            DowntimeRemainingSeconds IsBinlogServer PseudoGTIDImmediateTopology OracleGTIDImmediateTopology \
            MariaDBGTIDImmediateTopology BinlogServerImmediateTopology SemiSyncMasterEnabled SemiSyncMasterStatus \
            SemiSyncMasterWaitForReplicaCount SemiSyncMasterClients CountSemiSyncReplicasEnabled \
            CountLoggingReplicas CountStatementBasedLoggingReplicas CountMixedBasedLoggingReplicas \
            CountRowBasedLoggingReplicas CountDistinctMajorVersionsLoggingReplicas CountDelayedReplicas \
            CountLaggingReplicas IsActionableRecovery ProcessingNodeHostname ProcessingNodeToken \
            CountAdditionalAgreeingNodes StartActivePeriod SkippableDueToDowntime GTIDMode MinReplicaGTIDMode \
            MaxReplicaGTIDMode MaxReplicaGTIDErrant CommandHint IsReadOnly Reasons
            """.split(separator: " ").map(String.init)
        #expect(Set(object.keys) == Set(expected))
        #expect(object["Analysis"] as? String == "DeadMaster")
        #expect(object["IsActionableRecovery"] as? Bool == true)
        #expect(object["AnalyzedInstanceDataCenter"] as? String == "dc1")
        let master = try #require(object["AnalyzedInstanceMasterKey"] as? [String: Any])
        #expect(master["Hostname"] as? String == "" && master["Port"] as? Int == 0)
        let cluster = try #require(object["ClusterDetails"] as? [String: Any])
        #expect(cluster["ClusterName"] as? String == "127.0.0.1:1")
        #expect(Set(cluster.keys).isSuperset(of: ["ClusterAlias", "ClusterDomain", "CountInstances", "HeuristicLag"]))
        let replicas = try #require(object["Replicas"] as? [[String: Any]])
        #expect(replicas.first?["Port"] as? Int == 2)
        #expect(object["StructureAnalysis"] as? [String] == [])

        let decoded = try JSONDecoder().decode(ReplicationAnalysis.self, from: JSONEncoder().encode(row))
        #expect(decoded == row)
    }

    @Test func warningsEncodeByName() throws {
        let row = try #require(AnalysisSketch.row(1, in: [.primary(1).readOnly, .replica(2, of: 1)]))
        let object = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(row)) as? [String: Any])
        #expect(object["StructureAnalysis"] as? [String] == ["NoWriteableMasterStructureWarning"])
        #expect(object["IsReadOnly"] as? Bool == true)
    }

    @Test(arguments: [
        (
            [Node.primary(1), .replica(2, of: 1)], AnalysisSettings(),
            "127.0.0.1:1 (cluster 127.0.0.1:1): NoProblem"
        ),
        (
            [Node.primary(1).readOnly, .replica(2, of: 1).positional, .replica(3, of: 1)], AnalysisSettings(),
            "127.0.0.1:1 (cluster 127.0.0.1:1): NoFailoverSupportStructureWarning, NoWriteableMasterStructureWarning"
        ),
        (
            [Node.primary(1).dead, .replica(2, of: 1).failingToConnect], AnalysisSettings(),
            "127.0.0.1:1 (cluster 127.0.0.1:1): DeadMaster"
        ),
        (
            [Node.primary(1).dead.gtidMode("ON"), .replica(2, of: 1).failingToConnect], AnalysisSettings(),
            "127.0.0.1:1 (cluster 127.0.0.1:1): DeadMaster, DifferentGTIDModesStructureWarning"
        ),
        (
            [Node.primary(1).readOnly, .replica(2, of: 1)], AnalysisSettings(recoverNonWriteableMaster: true),
            "127.0.0.1:1 (cluster 127.0.0.1:1): NoWriteableMasterStructureWarning"
        ),
    ])
    func summaryLine(nodes: [Node], settings: AnalysisSettings, line: String) throws {
        let row = try #require(AnalysisSketch.row(1, in: nodes, settings: settings))
        #expect(row.summaryLine == line)
    }

    @Test func problemOrWarning() throws {
        let healthy = try #require(AnalysisSketch.row(1, in: [.primary(1), .replica(2, of: 1)]))
        let warned = try #require(AnalysisSketch.row(1, in: [.primary(1).readOnly, .replica(2, of: 1)]))
        let failed = try #require(AnalysisSketch.row(1, in: [.primary(1), .replica(2, of: 1).stopped]))
        #expect(!healthy.hasProblemOrWarning && warned.hasProblemOrWarning && failed.hasProblemOrWarning)
    }

    @Test func handlersFollowOrchestrator() {
        let actionable = AnalysisCode.allCases.filter(\.isActionable).map(\.rawValue)
        #expect(actionable == [
            "DeadMaster", "DeadMasterAndSomeReplicas", "LockedSemiSyncMaster", "MasterWithTooManySemiSyncReplicas",
            "NoWriteableMasterStructureWarning", "DeadCoMaster", "DeadCoMasterAndSomeReplicas",
            "DeadIntermediateMaster", "DeadIntermediateMasterWithSingleReplicaFailingToConnect",
            "DeadIntermediateMasterAndSomeReplicas", "AllIntermediateMasterReplicasFailingToConnectOrDead",
        ])
        #expect(AnalysisCode.unreachableMaster.handler == .detectOnly)
        #expect(AnalysisCode.noProblem.explanation == "")
    }
}
