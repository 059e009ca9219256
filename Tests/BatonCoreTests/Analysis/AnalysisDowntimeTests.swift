import BatonCore
import Foundation
import Testing

struct DowntimeCase: Sendable, CustomTestStringConvertible {
    var name: String
    var nodes: [Node]
    var code: AnalysisCode
    var isDowntimed: Bool
    var isReplicasDowntimed: Bool
    var skippable: Bool

    var testDescription: String { name }
}

let downtimeCases: [DowntimeCase] = [
    .init(
        name: "downtimed dead primary", nodes: [.primary(1).dead.downtimed, .replica(2, of: 1).failingToConnect],
        code: .deadMaster, isDowntimed: true, isReplicasDowntimed: false, skippable: true),
    .init(
        name: "dead primary, its replicas downtimed (not a replica-centric code)",
        nodes: [.primary(1).dead, .replica(2, of: 1).failingToConnect.downtimed],
        code: .deadMaster, isDowntimed: false, isReplicasDowntimed: false, skippable: false),
    .init(
        name: "all replicas downtimed and not replicating",
        nodes: [.primary(1), .replica(2, of: 1).stopped.downtimed, .replica(3, of: 1).stopped.downtimed],
        code: .allMasterReplicasNotReplicating, isDowntimed: false, isReplicasDowntimed: true, skippable: true),
    .init(
        name: "one of two stopped replicas downtimed",
        nodes: [.primary(1), .replica(2, of: 1).stopped.downtimed, .replica(3, of: 1).stopped],
        code: .allMasterReplicasNotReplicating, isDowntimed: false, isReplicasDowntimed: false, skippable: false),
    .init(
        name: "single dead replica downtimed", nodes: [.primary(1), .replica(2, of: 1).dead.downtimed],
        code: .masterSingleReplicaDead, isDowntimed: false, isReplicasDowntimed: true, skippable: true),
    .init(
        name: "single stopped replica downtimed (MasterSingleReplicaNotReplicating is not replica-centric)",
        nodes: [.primary(1), .replica(2, of: 1).stopped.downtimed],
        code: .masterSingleReplicaNotReplicating, isDowntimed: false, isReplicasDowntimed: false, skippable: false),
    .init(
        name: "dead intermediate primary whose replicas are downtimed",
        nodes: [.primary(1), .replica(2, of: 1).dead, .replica(3, of: 2).failingToConnect.downtimed],
        code: .deadIntermediateMasterWithSingleReplicaFailingToConnect, isDowntimed: false,
        isReplicasDowntimed: true, skippable: true),
    .init(
        name: "healthy downtimed primary", nodes: [.primary(1).downtimed, .replica(2, of: 1)],
        code: .noProblem, isDowntimed: true, isReplicasDowntimed: false, skippable: true),
]

@Suite struct AnalysisDowntimeTests {
    @Test(arguments: downtimeCases)
    func skippability(_ testCase: DowntimeCase) throws {
        let port = testCase.code == .deadIntermediateMasterWithSingleReplicaFailingToConnect ? 2 : 1
        let row = try #require(AnalysisSketch.row(port, in: testCase.nodes))
        #expect(row.analysis == testCase.code)
        #expect(row.isDowntimed == testCase.isDowntimed)
        #expect(row.isReplicasDowntimed == testCase.isReplicasDowntimed)
        #expect(row.skippableDueToDowntime == testCase.skippable)
    }

    @Test func downtimeFieldsAndReplicaCount() throws {
        let row = try #require(
            AnalysisSketch.row(1, in: [.primary(1).dead.downtimed, .replica(2, of: 1).stopped.downtimed]))
        #expect(row.downtimeEndTimestamp == "2023-11-14 23:13:22")
        #expect(row.downtimeRemainingSeconds == 3600)
        #expect(row.countDowntimedReplicas == 1)
        let healthy = try #require(AnalysisSketch.row(1, in: [.primary(1), .replica(2, of: 1)]))
        #expect(healthy.downtimeEndTimestamp == "" && healthy.downtimeRemainingSeconds == 0)
    }

    @Test func expiredDowntimeDoesNotCount() throws {
        let key = AnalysisSketch.key(1)
        var snapshot = AnalysisSketch.snapshot([.primary(1).dead, .replica(2, of: 1).stopped])
        snapshot.downtimes = [
            Downtime(key: key, owner: "ops", reason: "done", endsAt: AnalysisSketch.now),
            Downtime(key: key, owner: "ops", reason: "old", endsAt: AnalysisSketch.now.addingTimeInterval(-60)),
        ]
        let row = try #require(ReplicationAnalyzer.analyze(snapshot).first)
        #expect(!row.isDowntimed && !row.skippableDueToDowntime)
        snapshot.downtimes.append(Downtime(key: key, endsAt: AnalysisSketch.now.addingTimeInterval(1)))
        #expect(ReplicationAnalyzer.analyze(snapshot).first?.isDowntimed == true)
    }
}
