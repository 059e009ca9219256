import BatonCore
import BatonEngine
import BatonTestSupport
import Foundation
import Testing

/// `baton policy test` and the daemon's `what-if` read a configuration file the same way, and answer the same for
/// the same topology.
@Suite struct OfflinePolicyTestTests {
    static func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "10.0.0.1", port: port) }

    /// Every analysis setting away from its default.
    static let json = #"""
        {"RecoverMasterClusterFilters": ["*"], "InstancePollSeconds": 60, "ReasonableInstanceCheckSeconds": 2,
         "ReasonableReplicationLagSeconds": 20, "ReasonableLockedSemiSyncMasterSeconds": 7,
         "RecoverNonWriteableMaster": true, "EnforceExactSemiSyncReplicas": true}
        """#

    @Test func everyAnalysisSettingOfTheFileReachesTheDetectorAndThePolicyTest() throws {
        let configuration = try BatonConfiguration.parse(Data(Self.json.utf8))
        let expected = AnalysisSettings(
            pollSeconds: 60, reasonableCheckSeconds: 2, reasonableReplicationLagSeconds: 20,
            reasonableLockedSemiSyncMasterSeconds: 7, recoverNonWriteableMaster: true,
            enforceExactSemiSyncReplicas: true)
        #expect(DetectionConfiguration(configuration).analysis == expected)
        #expect(OfflinePolicyTest(configuration: configuration, policyPath: "").analysisSettings == expected)
    }

    @Test func policyTestAndWhatIfGiveTheSameAnswer() async throws {
        let probing = ScriptedProbing()
        probing.set(Self.key(1), .facts(.mariaDB(serverID: 1, replicas: [Self.key(2), Self.key(3)])))
        probing.set(Self.key(2), .facts(.mariaDB(serverID: 2, source: Self.key(1))))
        probing.set(Self.key(3), .facts(.mariaDB(serverID: 3, source: Self.key(1), replicas: [Self.key(4)])))
        probing.set(Self.key(4), .facts(.mariaDB(serverID: 4, source: Self.key(3))))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let node = try await BatonNode.scripted(probing, configuration: Self.json, now: { now })
        for port in 1...4 { _ = try await node.monitor.discover(Self.key(port)) }

        // The same topology as `baton policy test` reads it: the API's instance documents, saved to a file.
        let documents = node.monitor.registry.all().map { InstanceDocument($0, now: now, pollSeconds: 60) }
        let offline = OfflinePolicyTest(configuration: node.configuration, policyPath: "")
        let instances = try offline.instances(fromSnapshot: try JSONEncoder().encode(documents), now: now)

        for failed in [Self.key(1), Self.key(3)] {
            let daemon = try await node.coordinator.whatIf(failed)
            let cli = try offline.run(failing: failed, instances: instances, now: now)
            #expect(cli.analysis == daemon.analysis)
            #expect(cli.recoveryAllowed == daemon.recoveryAllowed)
            #expect(cli.gate == daemon.gate)
            #expect(cli.builtInRanking.map(\.key) == daemon.builtInRanking.map(\.key))
            #expect(cli.chosenCandidate == daemon.chosenCandidate)
            #expect(cli.followers == daemon.followers)
            #expect(cli.lostReplicas.map(\.key) == daemon.lostReplicas.map(\.key))
            #expect(cli.steps == daemon.steps)
        }
        #expect(try offline.run(failing: Self.key(1), instances: instances, now: now).analysis == "DeadMaster")
    }
}
