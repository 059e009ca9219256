import BatonCore
import Foundation
import Testing

@Suite struct RecoveryPlanTests {
    typealias F = TopologyFixtures

    func replica(_ port: Int, of source: Int = 1, at sequence: Int = 100, rule: PromotionRule = .neutral) -> Instance {
        var instance = F.instance(port, source: source, readOnly: true)
        instance.facts.executedGTIDSet = "0-1-\(sequence)"
        instance.promotionRule = rule
        return instance
    }

    func mysql(_ instance: Instance, _ version: String = "8.0.36") -> Instance {
        var instance = instance
        instance.facts.version = ServerVersion(parsing: version)
        instance.facts.gtidMode = "ON"
        instance.facts.executedGTIDSet = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100"
        instance.facts.replication?.usingGTID = "AutoPosition"
        return instance
    }

    func plan(
        _ replicas: [Instance], forced: InstanceKey? = nil, options: RecoveryPlanOptions = .init(),
        failed: Instance = F.instance(1)
    ) throws -> RecoveryPlan {
        let ranking = CandidateRanking.rank(failed: failed, replicas: replicas, constraints: .init(), pollSeconds: 5)
        return try RecoveryPlan.deadPrimary(
            failed: failed, replicas: replicas, ranking: ranking, forcedCandidate: forced, options: options)
    }

    /// `name@port` for each step, to compare orders compactly.
    func outline(_ plan: RecoveryPlan) -> [String] { plan.steps.map { "\($0.name)@\($0.target.port)" } }

    @Test func deadPrimaryPromotesTheBestReplicaAndRepointsTheOthers() throws {
        let plan = try plan([replica(4), replica(2), replica(3)])
        #expect(plan.kind == .deadPrimary)
        #expect(plan.candidate == F.key(2))
        #expect(plan.successor == F.key(2))
        #expect(plan.followers == [F.key(3), F.key(4)])
        #expect(plan.lost.isEmpty)
        #expect(plan.setsOldPrimaryReadOnly)
        #expect(outline(plan) == [
            "stop-receiving@2", "await-relay-log-applied@2", "stop-replication@2",
            "stop-receiving@3", "await-relay-log-applied@3", "stop-replication@3",
            "stop-receiving@4", "await-relay-log-applied@4", "stop-replication@4",
            "promote@2",
            "repoint@3", "await-replicating@3", "repoint@4", "await-replicating@4",
            "set-read-only@1",
        ])
        #expect(plan.steps[9].statements == ["STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only = 0"])
        #expect(plan.steps[10].statements == [
            "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=2, MASTER_USE_GTID=slave_pos", "START SLAVE",
        ])
        #expect(plan.steps.last?.statements == ["SET GLOBAL read_only = 1"])
        #expect(plan.steps.filter(\.changesServer).count == 10)
        #expect(plan.role(of: F.key(2)) == .candidate)
        #expect(plan.role(of: F.key(1)) == .failedInstance)
        #expect(plan.role(of: F.key(3)) == .follower)
    }

    struct LossCase: Sendable, CustomTestStringConvertible {
        var name: String
        var replicas: @Sendable () -> [Instance]
        var forced: Int?
        var candidate: Int
        var followers: [Int]
        var lost: [Int: String]
        var testDescription: String { name }
    }

    static let lossCases: [LossCase] = [
        LossCase(
            name: "a replica ahead of the operator's candidate is lost",
            replicas: { [RecoveryPlanTests().replica(2, at: 100), RecoveryPlanTests().replica(3, at: 101),
                         RecoveryPlanTests().replica(4, at: 99)] },
            forced: 2, candidate: 2, followers: [4], lost: [3: "transactions"]),
        LossCase(
            name: "a replica not using GTID is lost",
            replicas: {
                var noGTID = RecoveryPlanTests().replica(3)
                noGTID.facts.replication?.usingGTID = "No"
                return [RecoveryPlanTests().replica(2), noGTID]
            },
            forced: nil, candidate: 2, followers: [], lost: [3: "GTID"]),
        LossCase(
            name: "an older version cannot follow a newer one",
            replicas: {
                var old = RecoveryPlanTests().replica(3)
                old.facts.version = ServerVersion(parsing: "10.6.16-MariaDB")
                return [RecoveryPlanTests().replica(2), old]
            },
            forced: 2, candidate: 2, followers: [], lost: [3: "older"]),
        LossCase(
            name: "a MySQL replica cannot follow a MariaDB candidate",
            replicas: { [RecoveryPlanTests().replica(2), RecoveryPlanTests().mysql(RecoveryPlanTests().replica(3), "10.11.0")] },
            forced: 2, candidate: 2, followers: [], lost: [3: "runs MySQL"]),
        LossCase(
            name: "the preferred replica is chosen, the rest follow",
            replicas: { [RecoveryPlanTests().replica(2), RecoveryPlanTests().replica(3, rule: .prefer),
                         RecoveryPlanTests().replica(4)] },
            forced: nil, candidate: 3, followers: [2, 4], lost: [:]),
    ]

    @Test(arguments: lossCases) func followersAndLostReplicas(_ testCase: LossCase) throws {
        let plan = try plan(testCase.replicas(), forced: testCase.forced.map(F.key))
        #expect(plan.candidate == F.key(testCase.candidate))
        #expect(plan.followers == testCase.followers.map(F.key))
        #expect(plan.lost.map(\.key) == testCase.lost.keys.sorted().map(F.key))
        for lost in plan.lost {
            let fragment = try #require(testCase.lost[lost.key.port])
            #expect(lost.reason.contains(fragment), "\(lost.reason)")
        }
        // Lost replicas are never touched.
        #expect(!plan.steps.contains { step in plan.lost.contains { $0.key == step.target } })
    }

    @Test func anOperatorCandidateMustBeAnEligibleReplica() throws {
        let replicas = [replica(2), replica(3, rule: .mustNot)]
        #expect(throws: RecoveryPlanError(code: .candidateNotAReplica, message: "127.0.0.1:9 is not a replica of 127.0.0.1:1")) {
            try plan(replicas, forced: F.key(9))
        }
        let error = #expect(throws: RecoveryPlanError.self) { try plan(replicas, forced: F.key(3)) }
        #expect(error?.code == .candidateNotEligible)
        #expect(error?.message.contains("must_not") == true)
        let forced = try plan([replica(2), replica(3)], forced: F.key(3))
        #expect(forced.candidate == F.key(3))
        #expect(forced.notes.contains("the built-in ranking preferred 127.0.0.1:2"))
    }

    @Test func noEligibleReplicaIsAnErrorThatSaysWhy() {
        var noBinlog = replica(2)
        noBinlog.facts.logBinEnabled = false
        let error = #expect(throws: RecoveryPlanError.self) { try plan([noBinlog, replica(3, rule: .mustNot)]) }
        #expect(error?.code == .noCandidate)
        #expect(error?.message.contains("binary log") == true)
        #expect(error?.message.contains("must_not") == true)
        #expect((#expect(throws: RecoveryPlanError.self) { try plan([]) })?.code == .noCandidate)
    }

    @Test func withoutApplyPromotionTheCandidateIsNeitherResetNorMadeWritable() throws {
        let plan = try plan([replica(2), replica(3)], options: RecoveryPlanOptions(applyPromotion: false))
        #expect(!plan.setsOldPrimaryReadOnly)
        #expect(!plan.steps.contains { $0.name == "promote" || $0.name == "set-read-only" })
        #expect(plan.steps.contains { $0.name == "repoint" && $0.target == F.key(3) })
    }

    @Test func mySQLStatementsAreUsedForMySQLServers() throws {
        let plan = try plan([mysql(replica(2)), mysql(replica(3))])
        let promote = try #require(plan.steps.first { $0.name == "promote" })
        #expect(promote.statements == ["STOP REPLICA", "RESET REPLICA ALL", "SET GLOBAL read_only = 0"])
        let repoint = try #require(plan.steps.first { $0.name == "repoint" })
        #expect(repoint.statements == [
            "CHANGE REPLICATION SOURCE TO SOURCE_HOST='127.0.0.1', SOURCE_PORT=2, SOURCE_AUTO_POSITION=1",
            "START REPLICA",
        ])
        // A candidate without gtid_mode=ON cannot take auto-positioned replicas.
        var noGTID = mysql(replica(2))
        noGTID.facts.gtidMode = "OFF"
        let lost = try self.plan([noGTID, mysql(replica(3))], forced: F.key(2))
        #expect(lost.lost.first?.reason.contains("gtid_mode OFF") == true)
    }

    @Test func theCandidateHostNameIsQuotedInEveryFollowerStatement() throws {
        var candidate = replica(2)
        candidate.key = InstanceKey(hostname: "db'2", port: 3306)
        let plan = try plan([candidate, replica(3)], forced: candidate.key)
        let repoint = try #require(plan.steps.first { $0.name == "repoint" })
        #expect(repoint.statements.first == "CHANGE MASTER TO MASTER_HOST='db''2', MASTER_PORT=3306, MASTER_USE_GTID=slave_pos")
    }

    @Test func planBuildingIsDeterministic() throws {
        let replicas = [replica(5), replica(3), replica(4), replica(2)]
        let first = try plan(replicas)
        for _ in 0..<10 {
            #expect(try plan(replicas.shuffled()) == first)
        }
    }
}
