import BatonCore
import Foundation
import Testing

/// Dead intermediate primary 2 (a replica of 1) with replicas 3 and 4; siblings are other replicas of 1.
@Suite struct RecoveryPlanIntermediateTests {
    typealias F = TopologyFixtures

    static func node(
        _ port: Int, of source: Int?, at sequence: Int = 100, dataCenter: String = "east",
        _ change: @Sendable (inout Instance) -> Void = { _ in }
    ) -> Instance {
        var instance = F.instance(port, source: source, readOnly: source != nil)
        instance.facts.executedGTIDSet = "0-1-\(sequence)"
        instance.dataCenter = dataCenter
        change(&instance)
        return instance
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var siblings: [Instance]
        var source: Instance?
        var replicas: [Instance] = [RecoveryPlanIntermediateTests.node(3, of: 2), RecoveryPlanIntermediateTests.node(4, of: 2)]
        var successor: Int
        var followers: [Int]
        var lost: [Int] = []
        var note: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "a sibling in the same data centre is preferred to the source",
            siblings: [node(5, of: 1)], source: node(1, of: nil), successor: 5, followers: [3, 4],
            note: "sibling 127.0.0.1:5 in the same data centre"),
        Case(
            name: "without siblings the replicas move up to the source",
            siblings: [], source: node(1, of: nil), successor: 1, followers: [3, 4],
            note: "source 127.0.0.1:1"),
        Case(
            name: "a sibling that does not replicate is passed over",
            siblings: [node(5, of: 1) { $0.facts.replication?.ioThread = .stopped }], source: node(1, of: nil),
            successor: 1, followers: [3, 4], note: "sibling 127.0.0.1:5 passed over: it is not replicating"),
        Case(
            name: "a sibling elsewhere comes before the source, as in orchestrator",
            siblings: [node(5, of: 1, dataCenter: "west")], source: node(1, of: nil), successor: 5,
            followers: [3, 4], note: "data centre \"west\""),
        Case(
            name: "a preferred sibling wins over one with more replicas",
            siblings: [
                node(5, of: 1) { $0.facts.replicaKeys = [F.key(8), F.key(9)] },
                node(6, of: 1) { $0.promotionRule = .prefer },
            ],
            source: node(1, of: nil), successor: 6, followers: [3, 4], note: "sibling 127.0.0.1:6"),
        Case(
            name: "a sibling behind a replica would lose it, so the source is chosen",
            siblings: [node(5, of: 1, at: 90)], source: node(1, of: nil, at: 120),
            replicas: [node(3, of: 2, at: 100), node(4, of: 2, at: 80)], successor: 1, followers: [3, 4],
            note: "source 127.0.0.1:1"),
        Case(
            name: "a replica that cannot follow anyone is lost",
            siblings: [], source: node(1, of: nil),
            replicas: [node(3, of: 2), node(4, of: 2) { $0.facts.replication?.usingGTID = "No" }], successor: 1,
            followers: [3], lost: [4], note: "source"),
        Case(
            name: "a banned sibling is passed over",
            siblings: [node(5, of: 1) { $0.promotionRule = .mustNot }], source: node(1, of: nil), successor: 1,
            followers: [3, 4], note: "must_not"),
    ]

    @Test(arguments: cases) func choosesTheNewSource(_ testCase: Case) throws {
        let plan = try RecoveryPlan.deadIntermediatePrimary(
            failed: Self.node(2, of: 1), replicas: testCase.replicas, siblings: testCase.siblings,
            source: testCase.source, pollSeconds: 5)
        #expect(plan.kind == .deadIntermediatePrimary)
        #expect(plan.candidate == nil)
        #expect(plan.successor == F.key(testCase.successor))
        #expect(plan.followers == testCase.followers.map(F.key))
        #expect(plan.lost.map(\.key) == testCase.lost.map(F.key))
        #expect(plan.notes.contains { $0.contains(testCase.note) }, "\(plan.notes)")
        #expect(!plan.setsOldPrimaryReadOnly)
        // The failed intermediate primary and the new source are never touched.
        #expect(!plan.steps.contains { $0.target == F.key(2) || $0.target == plan.successor })
        let repoints = plan.steps.compactMap { step -> InstanceKey? in
            if case .repoint(_, let source, _) = step { source } else { nil }
        }
        #expect(repoints == Array(repeating: plan.successor, count: testCase.followers.count))
    }

    @Test func stepsStopAllFollowersBeforeRepointingAny() throws {
        let plan = try RecoveryPlan.deadIntermediatePrimary(
            failed: Self.node(2, of: 1), replicas: [Self.node(4, of: 2), Self.node(3, of: 2)], siblings: [],
            source: Self.node(1, of: nil), pollSeconds: 5)
        #expect(plan.steps.map { "\($0.name)@\($0.target.port)" } == [
            "stop-receiving@3", "await-relay-log-applied@3", "stop-replication@3",
            "stop-receiving@4", "await-relay-log-applied@4", "stop-replication@4",
            "repoint@3", "await-replicating@3", "repoint@4", "await-replicating@4",
        ])
    }

    @Test func noSiblingAndNoSourceIsAnError() {
        var deadSource = Self.node(1, of: nil)
        deadSource.lastAttempted = deadSource.lastSeen?.addingTimeInterval(60)
        let error = #expect(throws: RecoveryPlanError.self) {
            try RecoveryPlan.deadIntermediatePrimary(
                failed: Self.node(2, of: 1), replicas: [Self.node(3, of: 2)], siblings: [], source: deadSource,
                pollSeconds: 5)
        }
        #expect(error?.code == .noNewSource)
        #expect(error?.message.contains("last check is not valid") == true)
    }
}
