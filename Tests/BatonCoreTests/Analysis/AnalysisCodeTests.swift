import BatonCore
import Foundation
import Testing

/// One topology sketch and the code expected for one of its instances (`NoProblem` also when it gets no row).
struct CodeCase: Sendable, CustomTestStringConvertible {
    var name: String
    var expected: AnalysisCode
    var at: Int
    var nodes: [Node]
    var settings = AnalysisSettings()

    init(_ name: String, _ expected: AnalysisCode, at: Int, _ nodes: [Node], settings: AnalysisSettings = .init()) {
        self.name = name
        self.expected = expected
        self.at = at
        self.nodes = nodes
        self.settings = settings
    }

    var testDescription: String { "\(name) → \(expected.rawValue)" }
}

private let recoverReadOnly = AnalysisSettings(recoverNonWriteableMaster: true)
private let exactSemiSync = AnalysisSettings(enforceExactSemiSyncReplicas: true)

/// Every code, each with a positive sketch and near misses that differ in one fact.
let codeCases: [CodeCase] = [
    // 1 DeadMasterWithoutReplicas
    .init("dead primary alone", .deadMasterWithoutReplicas, at: 1, [.primary(1).dead]),
    .init("reachable primary alone", .noProblem, at: 1, [.primary(1)]),
    // 2 DeadMaster
    .init(
        "dead primary, replicas reconnecting (MariaDB)", .deadMaster, at: 1,
        [.primary(1).dead, .replica(2, of: 1).failingToConnect, .replica(3, of: 1).failingToConnect]),
    .init(
        "dead primary, replicas failing to connect (MySQL 8)", .deadMaster, at: 1,
        [
            .primary(1).dead,
            .replica(2, of: 1).failingToConnect("error connecting to source 'repl@127.0.0.1:1' - retry-time: 1"),
            .replica(3, of: 1).failingToConnect("error reconnecting to source 'repl@127.0.0.1:1' - retry-time: 1"),
        ]),
    .init(
        "dead primary, replicas merely stopped", .deadMaster, at: 1,
        [.primary(1).dead, .replica(2, of: 1).stopped, .replica(3, of: 1).ioStopped]),
    .init(
        "dead primary, one replica still replicating", .unreachableMaster, at: 1,
        [.primary(1).dead, .replica(2, of: 1).failingToConnect, .replica(3, of: 1)]),
    // 3 DeadMasterAndReplicas
    .init(
        "dead primary, every replica unreachable", .deadMasterAndReplicas, at: 1,
        [.primary(1).dead, .replica(2, of: 1).dead, .replica(3, of: 1).dead]),
    .init(
        "dead primary, its only replica unreachable", .deadMasterAndReplicas, at: 1,
        [.primary(1).dead, .replica(2, of: 1).dead]),
    // 4 DeadMasterAndSomeReplicas
    .init(
        "dead primary, one replica unreachable, the other reconnecting", .deadMasterAndSomeReplicas, at: 1,
        [.primary(1).dead, .replica(2, of: 1).dead, .replica(3, of: 1).failingToConnect]),
    .init(
        "reachable primary, one replica unreachable, the other stopped", .allMasterReplicasNotReplicatingOrDead, at: 1,
        [.primary(1), .replica(2, of: 1).dead, .replica(3, of: 1).stopped]),
    // 5 UnreachableMasterWithLaggingReplicas
    .init(
        "unreachable primary, all replicas lagging", .unreachableMasterWithLaggingReplicas, at: 1,
        [.primary(1).dead, .replica(2, of: 1).lagging(), .replica(3, of: 1).lagging()]),
    .init(
        "unreachable primary, one replica not lagging", .unreachableMaster, at: 1,
        [.primary(1).dead, .replica(2, of: 1).lagging(), .replica(3, of: 1)]),
    .init(
        "unreachable primary, all replicas lagging but all delayed", .unreachableMaster, at: 1,
        [.primary(1).dead, .replica(2, of: 1).lagging().delayed(), .replica(3, of: 1).lagging().delayed()]),
    .init(
        "unreachable primary, lag exactly at the threshold", .unreachableMaster, at: 1,
        [.primary(1).dead, .replica(2, of: 1).lagging(10), .replica(3, of: 1).lagging(10)]),
    // 6 UnreachableMaster
    .init(
        "unreachable primary, replicas replicating", .unreachableMaster, at: 1,
        [.primary(1).dead, .replica(2, of: 1), .replica(3, of: 1)]),
    .init(
        "partially checked primary, a replica failing to connect, one replicating", .unreachableMaster, at: 1,
        [.primary(1).partial, .replica(2, of: 1).failingToConnect, .replica(3, of: 1)]),
    .init(
        "partially checked primary, replicas replicating", .noProblem, at: 1,
        [.primary(1).partial, .replica(2, of: 1), .replica(3, of: 1)]),
    // 7 LockedSemiSyncMaster / LockedSemiSyncMasterHypothesis
    .init(
        "semi-sync primary without acknowledgers, binlog stale 60s", .lockedSemiSyncMaster, at: 1,
        [.primary(1).semiSync(waitFor: 1, clients: 0).binlogStale(for: 60), .replica(2, of: 1)]),
    .init(
        "semi-sync primary without acknowledgers, binlog stale 5s", .lockedSemiSyncMasterHypothesis, at: 1,
        [.primary(1).semiSync(waitFor: 1, clients: 0).binlogStale(for: 5), .replica(2, of: 1)]),
    .init(
        "semi-sync primary without acknowledgers, binlog moving", .lockedSemiSyncMasterHypothesis, at: 1,
        [.primary(1).semiSync(waitFor: 1, clients: 0), .replica(2, of: 1)]),
    .init(
        "stale 20s under ReasonableLockedSemiSyncMasterSeconds 30", .lockedSemiSyncMasterHypothesis, at: 1,
        [.primary(1).semiSync(waitFor: 1, clients: 0).binlogStale(for: 20), .replica(2, of: 1)],
        settings: AnalysisSettings(reasonableLockedSemiSyncMasterSeconds: 30)),
    .init(
        "semi-sync primary with enough acknowledgers, binlog stale", .noProblem, at: 1,
        [.primary(1).semiSync(waitFor: 1, clients: 1).binlogStale(for: 60), .replica(2, of: 1)]),
    // 8 MasterWithTooManySemiSyncReplicas
    .init(
        "EnforceExactSemiSyncReplicas, 2 acknowledgers for 1", .masterWithTooManySemiSyncReplicas, at: 1,
        [.primary(1).semiSync(waitFor: 1, clients: 2), .replica(2, of: 1), .replica(3, of: 1)],
        settings: exactSemiSync),
    .init(
        "2 acknowledgers for 1 without EnforceExactSemiSyncReplicas", .noProblem, at: 1,
        [.primary(1).semiSync(waitFor: 1, clients: 2), .replica(2, of: 1), .replica(3, of: 1)]),
    // 9 NoWriteableMasterStructureWarning as a code
    .init(
        "RecoverNonWriteableMaster, read-only primary", .noWriteableMaster, at: 1,
        [.primary(1).readOnly, .replica(2, of: 1)], settings: recoverReadOnly),
    .init(
        "read-only primary without RecoverNonWriteableMaster", .noProblem, at: 1,
        [.primary(1).readOnly, .replica(2, of: 1)]),
    .init(
        "RecoverNonWriteableMaster, read-only primary, replica stopped", .masterSingleReplicaNotReplicating, at: 1,
        [.primary(1).readOnly, .replica(2, of: 1).stopped], settings: recoverReadOnly),
    // 10 MasterSingleReplicaNotReplicating
    .init(
        "one replica, stopped", .masterSingleReplicaNotReplicating, at: 1,
        [.primary(1), .replica(2, of: 1).stopped]),
    .init("one replica, replicating", .noProblem, at: 1, [.primary(1), .replica(2, of: 1)]),
    // 11 MasterSingleReplicaDead
    .init("one replica, unreachable", .masterSingleReplicaDead, at: 1, [.primary(1), .replica(2, of: 1).dead]),
    .init(
        "unreachable primary, its one replica unreachable", .deadMasterAndReplicas, at: 1,
        [.primary(1).dead, .replica(2, of: 1).dead]),
    // 12 AllMasterReplicasNotReplicating
    .init(
        "two replicas, neither replicating", .allMasterReplicasNotReplicating, at: 1,
        [.primary(1), .replica(2, of: 1).stopped, .replica(3, of: 1).ioStopped]),
    .init(
        "two replicas, one replicating", .noProblem, at: 1,
        [.primary(1), .replica(2, of: 1).stopped, .replica(3, of: 1)]),
    // 13 AllMasterReplicasNotReplicatingOrDead
    .init(
        "two replicas, one unreachable, one stopped", .allMasterReplicasNotReplicatingOrDead, at: 1,
        [.primary(1), .replica(2, of: 1).dead, .replica(3, of: 1).stopped]),
    .init(
        "two replicas, both unreachable", .noProblem, at: 1,
        [.primary(1), .replica(2, of: 1).dead, .replica(3, of: 1).dead]),
    // 14 DeadCoMaster
    .init(
        "dead co-primary, its replicas reconnecting", .deadCoMaster, at: 1,
        [.replica(1, of: 2).dead, .replica(2, of: 1).failingToConnect, .replica(3, of: 1).failingToConnect]),
    .init(
        "dead co-primary, one replica still replicating", .unreachableCoMaster, at: 1,
        [.replica(1, of: 2).dead, .replica(2, of: 1).failingToConnect, .replica(3, of: 1)]),
    // 15 DeadCoMasterAndSomeReplicas
    .init(
        "dead co-primary, a replica unreachable", .deadCoMasterAndSomeReplicas, at: 1,
        [.replica(1, of: 2).dead, .replica(2, of: 1).failingToConnect, .replica(3, of: 1).dead]),
    .init(
        "reachable co-primary, a replica unreachable, the other stopped", .allCoMasterReplicasNotReplicating, at: 1,
        [.replica(1, of: 2), .replica(2, of: 1).stopped, .replica(3, of: 1).dead]),
    // 16 UnreachableCoMaster
    .init(
        "unreachable co-primary, replicas replicating", .unreachableCoMaster, at: 1,
        [.replica(1, of: 2).dead, .replica(2, of: 1), .replica(3, of: 1)]),
    .init(
        "partially checked co-primary, replicas replicating", .noProblem, at: 1,
        [.replica(1, of: 2).partial, .replica(2, of: 1), .replica(3, of: 1)]),
    .init(
        "dead co-primary, every replica unreachable", .deadIntermediateMasterAndReplicas, at: 1,
        [.replica(1, of: 2).dead, .replica(2, of: 1).dead]),
    // 17 AllCoMasterReplicasNotReplicating
    .init(
        "co-primary whose peer stopped replicating", .allCoMasterReplicasNotReplicating, at: 1,
        [.replica(1, of: 2), .replica(2, of: 1).stopped]),
    .init("healthy co-primaries", .noProblem, at: 1, [.replica(1, of: 2), .replica(2, of: 1)]),
    // 18 DeadIntermediateMasterWithSingleReplicaFailingToConnect
    .init(
        "dead intermediate primary, its replica reconnecting", .deadIntermediateMasterWithSingleReplicaFailingToConnect,
        at: 2, [.primary(1), .replica(2, of: 1).dead, .replica(3, of: 2).failingToConnect]),
    // 19 DeadIntermediateMasterWithSingleReplica
    .init(
        "dead intermediate primary, its replica stopped", .deadIntermediateMasterWithSingleReplica, at: 2,
        [.primary(1), .replica(2, of: 1).dead, .replica(3, of: 2).stopped]),
    .init(
        "dead intermediate primary, its replica's error is not a connect error",
        .deadIntermediateMasterWithSingleReplica, at: 2,
        [
            .primary(1), .replica(2, of: 1).dead,
            .replica(3, of: 2).failingToConnect("Got fatal error 1236 from master when reading data from binary log"),
        ]),
    .init(
        "unreachable intermediate primary, its replica replicating", .unreachableIntermediateMaster, at: 2,
        [.primary(1), .replica(2, of: 1).dead, .replica(3, of: 2)]),
    // 20 DeadIntermediateMaster
    .init(
        "dead intermediate primary, two replicas reconnecting", .deadIntermediateMaster, at: 2,
        [
            .primary(1), .replica(2, of: 1).dead, .replica(3, of: 2).failingToConnect,
            .replica(4, of: 2).failingToConnect,
        ]),
    .init(
        "dead intermediate primary, one of two replicas replicating", .unreachableIntermediateMaster, at: 2,
        [.primary(1), .replica(2, of: 1).dead, .replica(3, of: 2).failingToConnect, .replica(4, of: 2)]),
    // 21 DeadIntermediateMasterAndSomeReplicas
    .init(
        "dead intermediate primary, one replica unreachable", .deadIntermediateMasterAndSomeReplicas, at: 2,
        [.primary(1), .replica(2, of: 1).dead, .replica(3, of: 2).failingToConnect, .replica(4, of: 2).dead]),
    // 22 DeadIntermediateMasterAndReplicas
    .init(
        "dead intermediate primary, its replicas unreachable", .deadIntermediateMasterAndReplicas, at: 2,
        [.primary(1), .replica(2, of: 1).dead, .replica(3, of: 2).dead, .replica(4, of: 2).dead]),
    .init(
        "reachable intermediate primary, its replicas unreachable", .allIntermediateMasterReplicasNotReplicating,
        at: 2, [.primary(1), .replica(2, of: 1), .replica(3, of: 2).dead, .replica(4, of: 2).dead]),
    // 23 UnreachableIntermediateMasterWithLaggingReplicas
    .init(
        "unreachable intermediate primary, replicas lagging", .unreachableIntermediateMasterWithLaggingReplicas, at: 2,
        [.primary(1), .replica(2, of: 1).dead, .replica(3, of: 2).lagging(), .replica(4, of: 2).lagging()]),
    .init(
        "unreachable intermediate primary, one replica lagging", .unreachableIntermediateMaster, at: 2,
        [.primary(1), .replica(2, of: 1).dead, .replica(3, of: 2).lagging(), .replica(4, of: 2)]),
    // 24 UnreachableIntermediateMaster
    .init(
        "unreachable intermediate primary, replicas replicating", .unreachableIntermediateMaster, at: 2,
        [.primary(1), .replica(2, of: 1).dead, .replica(3, of: 2), .replica(4, of: 2)]),
    .init(
        "partially checked intermediate primary, replicas replicating", .noProblem, at: 2,
        [.primary(1), .replica(2, of: 1).partial, .replica(3, of: 2), .replica(4, of: 2)]),
    // 25 AllIntermediateMasterReplicasFailingToConnectOrDead
    .init(
        "intermediate primary, its replicas reconnecting", .allIntermediateMasterReplicasFailingToConnectOrDead, at: 2,
        [.primary(1), .replica(2, of: 1), .replica(3, of: 2).failingToConnect, .replica(4, of: 2).failingToConnect]),
    .init(
        "intermediate primary, one replica reconnecting, one unreachable",
        .allIntermediateMasterReplicasFailingToConnectOrDead, at: 2,
        [.primary(1), .replica(2, of: 1), .replica(3, of: 2).failingToConnect, .replica(4, of: 2).dead]),
    .init(
        "intermediate primary, one replica reconnecting, one stopped", .allIntermediateMasterReplicasNotReplicating,
        at: 2, [.primary(1), .replica(2, of: 1), .replica(3, of: 2).failingToConnect, .replica(4, of: 2).stopped]),
    .init(
        "intermediate primary, its single replica reconnecting", .allIntermediateMasterReplicasNotReplicating, at: 2,
        [.primary(1), .replica(2, of: 1), .replica(3, of: 2).failingToConnect]),
    // 26 AllIntermediateMasterReplicasNotReplicating
    .init(
        "intermediate primary, its replica stopped", .allIntermediateMasterReplicasNotReplicating, at: 2,
        [.primary(1), .replica(2, of: 1), .replica(3, of: 2).stopped]),
    .init(
        "intermediate primary, its replica replicating", .noProblem, at: 2,
        [.primary(1), .replica(2, of: 1), .replica(3, of: 2)]),
    // 28 FirstTierReplicaFailingToConnectToMaster
    .init(
        "direct replica reconnecting", .firstTierReplicaFailingToConnectToMaster, at: 2,
        [.primary(1), .replica(2, of: 1).failingToConnect, .replica(3, of: 1)]),
    .init(
        "second-tier replica reconnecting", .noProblem, at: 3,
        [.primary(1), .replica(2, of: 1), .replica(3, of: 2).failingToConnect]),
    .init(
        "direct replica with a non-connect IO error", .noProblem, at: 2,
        [.primary(1), .replica(2, of: 1).failingToConnect("Got fatal error 1236 from master"), .replica(3, of: 1)]),
    .init(
        "direct replica reconnecting with its SQL thread stopped", .noProblem, at: 2,
        [.primary(1), .replica(2, of: 1).failingToConnect.stopped, .replica(3, of: 1)]),
]

@Suite struct AnalysisCodeTests {
    @Test(arguments: codeCases)
    func code(_ testCase: CodeCase) {
        let row = AnalysisSketch.row(testCase.at, in: testCase.nodes, settings: testCase.settings)
        #expect((row?.analysis ?? .noProblem) == testCase.expected)
        if let row {
            #expect(row.isActionableRecovery == testCase.expected.isActionable)
            #expect(row.description == testCase.expected.explanation)
        }
    }

    @Test func everyCodeHasAPositiveCase() {
        let covered = Set(codeCases.map(\.expected))
        #expect(Set(AnalysisCode.allCases).subtracting(covered).isEmpty)
        #expect(codeCases.count >= 60)
    }

    @Test func rulesFollowOrchestratorsOrder() {
        let order = ReplicationAnalyzer.codeRules.map(\.verdict.rawValue)
        #expect(order == [
            "DeadMasterWithoutReplicas", "DeadMaster", "DeadMasterAndReplicas", "DeadMasterAndSomeReplicas",
            "UnreachableMasterWithLaggingReplicas", "UnreachableMaster", "UnreachableMaster", "LockedSemiSyncMaster",
            "LockedSemiSyncMasterHypothesis", "MasterWithTooManySemiSyncReplicas", "NoWriteableMasterStructureWarning",
            "MasterSingleReplicaNotReplicating", "MasterSingleReplicaDead", "AllMasterReplicasNotReplicating",
            "AllMasterReplicasNotReplicatingOrDead", "DeadCoMaster", "DeadCoMasterAndSomeReplicas",
            "UnreachableCoMaster", "AllCoMasterReplicasNotReplicating",
            "DeadIntermediateMasterWithSingleReplicaFailingToConnect", "DeadIntermediateMasterWithSingleReplica",
            "DeadIntermediateMaster", "DeadIntermediateMasterAndSomeReplicas", "DeadIntermediateMasterAndReplicas",
            "UnreachableIntermediateMasterWithLaggingReplicas", "UnreachableIntermediateMaster",
            "AllIntermediateMasterReplicasFailingToConnectOrDead", "AllIntermediateMasterReplicasNotReplicating",
            "FirstTierReplicaFailingToConnectToMaster",
        ])
    }

    @Test(arguments: [
        ("error reconnecting to master 'repl@127.0.0.1:23301' - retry-time: 1  maximum-retries: 86400", true),
        ("error connecting to master 'repl@127.0.0.1:23301' - retry-time: 60  retries: 1", true),
        ("Error connecting to source 'repl@db1:3306'. This was attempt 3/86400, with a delay of 1 seconds", true),
        ("error reconnecting to source 'repl@db1:3306' - retry-time: 1", true),
        ("Got fatal error 1236 from master when reading data from binary log", false),
        ("connecting to master", false),
        ("", false),
    ])
    func connectErrors(text: String, matches: Bool) {
        #expect(ReplicationAnalyzer.isConnectError(text) == matches)
    }

    @Test func verdictCarriesItsFacts() throws {
        let row = try #require(
            AnalysisSketch.row(
                1, in: [.primary(1).dead, .replica(2, of: 1).failingToConnect, .replica(3, of: 1).stopped]))
        #expect(row.analysis == .deadMaster)
        #expect(row.countReplicas == 2 && row.countValidReplicas == 2 && row.countValidReplicatingReplicas == 0)
        #expect(row.countReplicasFailingToConnectToMaster == 1)
        #expect(!row.lastCheckValid && row.isMaster)
        #expect(row.reasons.first == "rule: primary unreachable; all replicas reachable; none replicating")
        #expect(row.reasons.contains("primary, unreachable"))
        #expect(row.reasons.contains {
            $0.hasPrefix("2 replicas: 2 reachable, 0 replicating, 1 failing to connect")
        })
    }

    @Test func decisionTableReadsFactsAlone() {
        var facts = AnalysisFacts(key: AnalysisSketch.key(1))
        facts.isPrimary = true
        facts.lastCheckValid = false
        facts.countReplicas = 3
        facts.countValidReplicas = 3
        #expect(ReplicationAnalyzer.code(for: facts) == .deadMaster)
        facts.countValidReplicatingReplicas = 1
        #expect(ReplicationAnalyzer.code(for: facts) == .unreachableMaster)
        facts.lastCheckValid = true
        #expect(ReplicationAnalyzer.code(for: facts) == .noProblem)
    }
}
