import BatonCore
import Foundation
import Testing

/// A topology sketch and whether `warning` is expected on the row of `at`.
struct WarningCase: Sendable, CustomTestStringConvertible {
    var name: String
    var warning: StructureWarning
    var expected: Bool
    var at: Int
    var nodes: [Node]

    init(_ name: String, _ warning: StructureWarning, _ expected: Bool, at: Int = 1, _ nodes: [Node]) {
        self.name = name
        self.warning = warning
        self.expected = expected
        self.at = at
        self.nodes = nodes
    }

    var testDescription: String { "\(name): \(warning.rawValue) \(expected ? "raised" : "not raised")" }
}

private let primaryUUID = "00000000-0000-0000-0000-000000000001"
private let replicaUUID = "00000000-0000-0000-0000-000000000002"
private let otherUUID = "00000000-0000-0000-0000-0000000000ff"

let warningCases: [WarningCase] = [
    .init(
        "no replica logs updates", .noLoggingReplicas, true,
        [.primary(1), .replica(2, of: 1).noLogging, .replica(3, of: 1).noLogging]),
    .init(
        "one replica logs updates", .noLoggingReplicas, false,
        [.primary(1), .replica(2, of: 1).noLogging, .replica(3, of: 1)]),
    .init("a single non-logging replica", .noLoggingReplicas, false, [.primary(1), .replica(2, of: 1).noLogging]),
    .init(
        "replicas replicate by file and position", .noFailoverSupport, true,
        [.primary(1), .replica(2, of: 1).positional, .replica(3, of: 1).positional]),
    .init(
        "one replica by file and position", .noFailoverSupport, true,
        [.primary(1), .replica(2, of: 1), .replica(3, of: 1).positional]),
    .init(
        "all replicas use MariaDB GTID", .noFailoverSupport, false,
        [.primary(1), .replica(2, of: 1), .replica(3, of: 1)]),
    .init(
        "all replicas use MySQL auto-position", .noFailoverSupport, false,
        [
            .primary(1).mysql(uuid: primaryUUID, executed: ""),
            .replica(2, of: 1).mysql(uuid: replicaUUID, executed: ""),
            .replica(3, of: 1).mysql(uuid: otherUUID, executed: ""),
        ]),
    .init(
        "STATEMENT and MIXED logging replicas", .statementAndMixedLoggingReplicas, true,
        [.primary(1), .replica(2, of: 1).binlog("STATEMENT"), .replica(3, of: 1).binlog("MIXED")]),
    .init(
        "STATEMENT replica not logging updates, MIXED replica", .statementAndMixedLoggingReplicas, false,
        [.primary(1), .replica(2, of: 1).binlog("STATEMENT").noLogging, .replica(3, of: 1).binlog("MIXED")]),
    .init(
        "STATEMENT and ROW logging replicas", .statementAndRowLoggingReplicas, true,
        [.primary(1), .replica(2, of: 1).binlog("STATEMENT"), .replica(3, of: 1)]),
    .init(
        "STATEMENT logging replicas only", .statementAndRowLoggingReplicas, false,
        [.primary(1), .replica(2, of: 1).binlog("STATEMENT"), .replica(3, of: 1).binlog("STATEMENT")]),
    .init(
        "MIXED and ROW logging replicas", .mixedAndRowLoggingReplicas, true,
        [.primary(1), .replica(2, of: 1).binlog("MIXED"), .replica(3, of: 1)]),
    .init(
        "MIXED logging replicas only", .mixedAndRowLoggingReplicas, false,
        [.primary(1), .replica(2, of: 1).binlog("MIXED"), .replica(3, of: 1).binlog("mixed")]),
    .init(
        "logging replicas on 10.6 and 10.11", .multipleMajorVersionsLoggingReplicas, true,
        [.primary(1), .replica(2, of: 1).version("10.6.16-MariaDB"), .replica(3, of: 1)]),
    .init(
        "logging replicas on 10.11.5 and 10.11.6", .multipleMajorVersionsLoggingReplicas, false,
        [.primary(1), .replica(2, of: 1).version("10.11.5-MariaDB"), .replica(3, of: 1)]),
    .init(
        "primary gtid_mode ON, replicas OFF", .differentGTIDModes, true,
        [.primary(1).gtidMode("ON"), .replica(2, of: 1), .replica(3, of: 1)]),
    .init(
        "one replica's gtid_mode differs", .differentGTIDModes, true,
        [.primary(1), .replica(2, of: 1).gtidMode("ON_PERMISSIVE"), .replica(3, of: 1)]),
    .init(
        "gtid_mode ON everywhere", .differentGTIDModes, false,
        [.primary(1).gtidMode("ON"), .replica(2, of: 1).gtidMode("ON"), .replica(3, of: 1).gtidMode("ON")]),
    .init(
        "MySQL replica wrote its own transactions", .errantGTID, true,
        [
            .primary(1).mysql(uuid: primaryUUID, executed: "\(primaryUUID):1-100"),
            .replica(2, of: 1).mysql(uuid: replicaUUID, executed: "\(primaryUUID):1-90,\n\(replicaUUID):1-2"),
        ]),
    .init(
        "MySQL replica has a former primary's transactions its source lacks", .errantGTID, true,
        [
            .primary(1).mysql(uuid: primaryUUID, executed: "\(primaryUUID):1-100,\(otherUUID):1-5"),
            .replica(2, of: 1).mysql(uuid: replicaUUID, executed: "\(primaryUUID):1-100,\(otherUUID):1-7"),
        ]),
    .init(
        "MySQL replica ahead of a stale probe of its source", .errantGTID, false,
        [
            .primary(1).mysql(uuid: primaryUUID, executed: "\(primaryUUID):1-100"),
            .replica(2, of: 1).mysql(uuid: replicaUUID, executed: "\(primaryUUID):1-120"),
        ]),
    .init(
        "MySQL replica with errant GTIDs is downtimed", .errantGTID, false,
        [
            .primary(1).mysql(uuid: primaryUUID, executed: "\(primaryUUID):1-100"),
            .replica(2, of: 1).mysql(uuid: replicaUUID, executed: "\(primaryUUID):1-90,\(replicaUUID):1-2").downtimed,
        ]),
    .init(
        "MariaDB replica wrote locally past its source", .errantGTID, true,
        [.primary(1).mariaDBPosition("0-1-100"), .replica(2, of: 1).mariaDBPosition("0-2-101")]),
    .init(
        "MariaDB replica wrote in a domain its source lacks", .errantGTID, true,
        [.primary(1).mariaDBPosition("0-1-100"), .replica(2, of: 1).mariaDBPosition("0-1-100,1-2-3")]),
    .init(
        "MariaDB replica up to date with its source", .errantGTID, false,
        [.primary(1).mariaDBPosition("0-1-100"), .replica(2, of: 1).mariaDBPosition("0-1-99")]),
    .init(
        "MariaDB former primary, now a replica, already replicated", .errantGTID, false,
        [.primary(1).mariaDBPosition("0-2-100"), .replica(2, of: 1).mariaDBPosition("0-2-100")]),
    .init("read-only primary", .noWriteableMaster, true, [.primary(1).readOnly, .replica(2, of: 1)]),
    .init(
        "read-only replica, writable primary", .noWriteableMaster, false,
        [.primary(1), .replica(2, of: 1).readOnly]),
    .init(
        "semi-sync switched off for lack of acknowledgers", .notEnoughValidSemiSyncReplicas, true,
        [.primary(1).semiSync(waitFor: 1, clients: 0, on: false), .replica(2, of: 1)]),
    .init(
        "semi-sync off with enough acknowledgers", .notEnoughValidSemiSyncReplicas, false,
        [.primary(1).semiSync(waitFor: 1, clients: 1, on: false), .replica(2, of: 1)]),
]

@Suite struct StructureWarningTests {
    @Test(arguments: warningCases)
    func warning(_ testCase: WarningCase) throws {
        let row = try #require(AnalysisSketch.row(testCase.at, in: testCase.nodes))
        #expect(row.structureAnalysis.contains(testCase.warning) == testCase.expected)
    }

    @Test func everyWarningIsCovered() {
        let raised = Set(warningCases.filter(\.expected).map(\.warning))
        let missed = Set(warningCases.filter { !$0.expected }.map(\.warning))
        #expect(raised == Set(StructureWarning.allCases))
        #expect(missed == Set(StructureWarning.allCases))
    }

    @Test func healthyTopologyHasNoWarnings() throws {
        let rows = AnalysisSketch.analyze([.primary(1), .replica(2, of: 1), .replica(3, of: 1)])
        #expect(rows.map(\.analysis) == [.noProblem])
        #expect(rows.first?.structureAnalysis == [])
    }

    @Test func warningsAreAdditiveInTableOrder() throws {
        let row = try #require(
            AnalysisSketch.row(
                1,
                in: [
                    .primary(1).readOnly.gtidMode("ON"), .replica(2, of: 1).binlog("STATEMENT").positional,
                    .replica(3, of: 1).binlog("MIXED"),
                ]))
        #expect(row.structureAnalysis == [
            .noFailoverSupport, .statementAndMixedLoggingReplicas, .differentGTIDModes, .noWriteableMaster,
        ])
    }

    @Test func errantSetIsReported() throws {
        let row = try #require(
            AnalysisSketch.row(
                1,
                in: [
                    .primary(1).mysql(uuid: primaryUUID, executed: "\(primaryUUID):1-100"),
                    .replica(2, of: 1).mysql(uuid: replicaUUID, executed: "\(primaryUUID):1-90,\(replicaUUID):1-2:5"),
                ]))
        #expect(row.maxReplicaGTIDErrant == "\(replicaUUID):1-2:5")
        #expect(row.oracleGTIDImmediateTopology && !row.mariaDBGTIDImmediateTopology)
    }
}
