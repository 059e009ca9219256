import BatonCore
import Foundation
import Testing

@Suite struct DemotedPrimaryFencingTests {
    static let ended = Date(timeIntervalSince1970: 1_700_000_000)
    static let old = InstanceKey(hostname: "db1", port: 3306)
    static let new = InstanceKey(hostname: "db2", port: 3306)
    static let other = InstanceKey(hostname: "db3", port: 3306)
    static let settings = DemotedPrimaryFencing.Settings(horizon: 3600, retryBase: 1, retryCap: 8)

    static func record(
        _ id: Int64, failed: InstanceKey = old, successor: InstanceKey? = new, endedAt: Date? = ended,
        kind: RecoveryRecord.Kind = .masterRecovery, command: String = ""
    ) -> RecoveryRecord {
        var record = RecoveryRecord(
            id: id, uid: "r\(id)", failedKey: failed, clusterName: "\(failed)", analysis: .deadMaster, kind: kind,
            command: command, processingNode: "n1", startedAt: ended.addingTimeInterval(-10))
        record.endedAt = endedAt
        record.successor = successor
        record.isSuccessful = successor != nil
        return record
    }

    // MARK: which recoveries demoted a primary that must stay fenced

    struct DemotionCase: Sendable, CustomTestStringConvertible {
        var name: String
        var recoveries: [RecoveryRecord]
        var secondsAfterEnd: TimeInterval = 10
        /// uid → graceful
        var expected: [String: Bool]
        var testDescription: String { name }
    }

    static let demotionCases: [DemotionCase] = [
        DemotionCase(name: "a dead primary replaced", recoveries: [record(1)], expected: ["r1": false]),
        DemotionCase(name: "no successor: nothing was promoted", recoveries: [record(1, successor: nil)], expected: [:]),
        DemotionCase(name: "still running", recoveries: [record(1, endedAt: nil)], expected: [:]),
        DemotionCase(
            name: "an intermediate primary is no primary", recoveries: [record(1, kind: .intermediateMasterRecovery)],
            expected: [:]),
        DemotionCase(name: "beyond the horizon", recoveries: [record(1)], secondsAfterEnd: 3601, expected: [:]),
        DemotionCase(
            name: "a graceful takeover", recoveries: [record(1, command: "graceful-master-takeover")],
            expected: ["r1": true]),
        DemotionCase(
            name: "made primary again by a later takeover",
            recoveries: [record(1), record(2, failed: new, successor: old, command: "graceful-master-takeover")],
            expected: ["r2": true]),
        DemotionCase(
            name: "a later recovery of the old primary is running",
            recoveries: [record(1), record(2, successor: nil, endedAt: nil)], expected: [:]),
        DemotionCase(
            name: "the successor failed later: both demoted primaries fenced",
            recoveries: [record(1), record(2, failed: new, successor: other)], expected: ["r1": false, "r2": false]),
    ]

    @Test(arguments: demotionCases) func demotions(_ test: DemotionCase) {
        let found = DemotedPrimaryFencing.demotions(
            test.recoveries.reversed(), at: Self.ended.addingTimeInterval(test.secondsAfterEnd), horizon: 3600)
        #expect(Dictionary(uniqueKeysWithValues: found.map { ($0.uid, $0.graceful) }) == test.expected)
    }

    // MARK: one evaluation

    static let demotion = DemotedPrimaryFencing.Demotion(uid: "r1", failed: old, successor: new, endedAt: ended)

    static func seen(
        after seconds: TimeInterval = 5, reachable: Bool = true, readOnly: Bool = false, superReadOnly: Bool = false,
        mysql: Bool = false, hasSource: Bool = false
    ) -> DemotedPrimaryFencing.Sighting {
        DemotedPrimaryFencing.Sighting(
            probedAt: ended.addingTimeInterval(seconds), reachable: reachable, readOnly: readOnly,
            superReadOnly: superReadOnly, hasSuperReadOnly: mysql, hasSource: hasSource)
    }

    struct EvaluationCase: Sendable, CustomTestStringConvertible {
        var name: String
        var sighting: DemotedPrimaryFencing.Sighting?
        var graceful = false
        var isLeader = true
        var audited = false
        var expected: [DemotedPrimaryFencing.Action]
        var testDescription: String { name }
    }

    static let fenceAndKill = DemotedPrimaryFencing.Action.fence(.init(uid: "r1", key: old, killConnections: true))
    static let fenceOnly = DemotedPrimaryFencing.Action.fence(.init(uid: "r1", key: old, killConnections: false))
    static let readOnlyAudit = DemotedPrimaryFencing.Action.audit(
        uid: "r1", message: "fence: demoted primary db1:3306 is read-only beside db2:3306 (seen by n2)")

    static let evaluationCases: [EvaluationCase] = [
        EvaluationCase(name: "never seen", sighting: nil, expected: []),
        EvaluationCase(name: "unreachable", sighting: seen(reachable: false), expected: []),
        EvaluationCase(name: "facts from before the recovery ended", sighting: seen(after: -1), expected: []),
        EvaluationCase(name: "back and writable: fenced, clients killed", sighting: seen(), expected: [fenceAndKill]),
        EvaluationCase(name: "a follower fences too", sighting: seen(), isLeader: false, expected: [fenceAndKill]),
        EvaluationCase(
            name: "writable but attached as a replica: read-only only", sighting: seen(hasSource: true),
            expected: [fenceOnly]),
        EvaluationCase(
            name: "demoted gracefully, writable again: read-only only", sighting: seen(), graceful: true,
            expected: [fenceOnly]),
        EvaluationCase(
            name: "MySQL read_only without super_read_only", sighting: seen(readOnly: true, mysql: true),
            expected: [fenceAndKill]),
        EvaluationCase(
            name: "MySQL fully read-only: the leader audits it",
            sighting: seen(readOnly: true, superReadOnly: true, mysql: true), expected: [readOnlyAudit]),
        EvaluationCase(
            name: "MariaDB read-only: the leader audits it", sighting: seen(readOnly: true), expected: [readOnlyAudit]),
        EvaluationCase(
            name: "read-only, audit already says so", sighting: seen(readOnly: true), audited: true, expected: []),
        EvaluationCase(
            name: "read-only, a follower writes no audit", sighting: seen(readOnly: true), isLeader: false,
            expected: []),
    ]

    @Test(arguments: evaluationCases) func evaluation(_ test: EvaluationCase) {
        var fencing = DemotedPrimaryFencing(settings: Self.settings)
        var demotion = Self.demotion
        demotion.graceful = test.graceful
        let actions = fencing.evaluate(
            [demotion], sightings: test.sighting.map { [Self.old: $0] } ?? [:], audited: test.audited ? ["r1"] : [],
            isLeader: test.isLeader, nodeName: "n2", at: Self.ended.addingTimeInterval(6))
        #expect(actions == test.expected)
    }

    // MARK: sequences

    func evaluate(
        _ fencing: inout DemotedPrimaryFencing, _ sighting: DemotedPrimaryFencing.Sighting, at seconds: TimeInterval,
        isLeader: Bool = true
    ) -> [DemotedPrimaryFencing.Action] {
        fencing.evaluate(
            [Self.demotion], sightings: [Self.old: sighting], audited: [], isLeader: isLeader, nodeName: "n2",
            at: Self.ended.addingTimeInterval(seconds))
    }

    static let leaderFence =
        "fence: demoted primary db1:3306 set read-only (SET GLOBAL read_only = 1), 2 client connections killed by n2"

    @Test func theLeaderFencesOnceAndAuditsWhatItDid() {
        var fencing = DemotedPrimaryFencing(settings: Self.settings)
        #expect(evaluate(&fencing, Self.seen(after: 5), at: 6) == [Self.fenceAndKill])
        // While the fence runs, nothing else starts.
        #expect(evaluate(&fencing, Self.seen(after: 5), at: 6.5) == [])
        let fence = DemotedPrimaryFencing.Fence(uid: "r1", key: Self.old, killConnections: true)
        #expect(
            fencing.fenced(
                fence, statements: ["SET GLOBAL read_only = 1"], killed: 2, isLeader: true, nodeName: "n2",
                at: Self.ended.addingTimeInterval(7))
                == [
                    .warn(uid: "r1", key: Self.old, message: Self.leaderFence),
                    .audit(uid: "r1", message: Self.leaderFence),
                ])
        // A probe from before the fence still says writable: not fenced again.
        #expect(evaluate(&fencing, Self.seen(after: 6.9), at: 8) == [])
        // A later probe says read-only: the audit already holds the fence.
        #expect(evaluate(&fencing, Self.seen(after: 7.5, readOnly: true), at: 9) == [])
        // Someone made it writable again: fenced again.
        #expect(evaluate(&fencing, Self.seen(after: 20), at: 21) == [Self.fenceAndKill])
    }

    @Test func aFollowerLogsItsFenceAndTheLeaderAuditsTheReadOnlyServer() {
        var follower = DemotedPrimaryFencing(settings: Self.settings)
        #expect(evaluate(&follower, Self.seen(after: 5), at: 6, isLeader: false) == [Self.fenceAndKill])
        let fence = DemotedPrimaryFencing.Fence(uid: "r1", key: Self.old, killConnections: true)
        #expect(
            follower.fenced(
                fence, statements: ["SET GLOBAL read_only = 1"], killed: 1, isLeader: false, nodeName: "n1",
                at: Self.ended.addingTimeInterval(7))
                == [.warn(
                    uid: "r1", key: Self.old,
                    message: "fence: demoted primary db1:3306 set read-only (SET GLOBAL read_only = 1), "
                        + "1 client connection killed by n1")])
        var leader = DemotedPrimaryFencing(settings: Self.settings)
        #expect(evaluate(&leader, Self.seen(after: 8, readOnly: true), at: 9) == [Self.readOnlyAudit])
        #expect(evaluate(&leader, Self.seen(after: 9, readOnly: true), at: 10) == [])
        // An audit that could not be stored is written again.
        leader.auditFailed(uid: "r1")
        #expect(evaluate(&leader, Self.seen(after: 10, readOnly: true), at: 11) == [Self.readOnlyAudit])
    }

    @Test func failuresAreRetriedWithADoublingBackOff() throws {
        var fencing = DemotedPrimaryFencing(settings: Self.settings)
        let fence = DemotedPrimaryFencing.Fence(uid: "r1", key: Self.old, killConnections: true)
        var at: TimeInterval = 6
        var waits: [TimeInterval] = []
        for _ in 0..<5 {
            #expect(evaluate(&fencing, Self.seen(after: at - 1), at: at) == [Self.fenceAndKill])
            let failed = fencing.fenceFailed(fence, error: "cannot connect", at: Self.ended.addingTimeInterval(at))
            #expect(failed.count == 1)
            let retryAt = try #require(fencing.nextDeadline).timeIntervalSince(Self.ended)
            waits.append(retryAt - at)
            // Not before the retry is due.
            #expect(evaluate(&fencing, Self.seen(after: retryAt - 0.5), at: retryAt - 0.1) == [])
            at = retryAt
        }
        #expect(waits == [1, 2, 4, 8, 8])
        // A success clears the back-off.
        #expect(evaluate(&fencing, Self.seen(after: at - 0.05), at: at) == [Self.fenceAndKill])
        _ = fencing.fenced(fence, statements: [], killed: 0, isLeader: true, nodeName: "n2", at: Self.ended.addingTimeInterval(at))
        #expect(fencing.nextDeadline == nil)
    }

    @Test func aRecoveryNoLongerEnforcedIsForgotten() {
        var fencing = DemotedPrimaryFencing(settings: Self.settings)
        let fence = DemotedPrimaryFencing.Fence(uid: "r1", key: Self.old, killConnections: true)
        _ = evaluate(&fencing, Self.seen(), at: 6)
        _ = fencing.fenceFailed(fence, error: "x", at: Self.ended.addingTimeInterval(6))
        #expect(fencing.nextDeadline != nil)
        _ = fencing.evaluate([], sightings: [:], audited: [], isLeader: true, nodeName: "n2", at: Self.ended)
        #expect(fencing.nextDeadline == nil)
    }

    // MARK: statements

    @Test(arguments: [
        ("10.11.6-MariaDB-log", ["SET GLOBAL read_only = 1"]),
        ("5.7.7", ["SET GLOBAL read_only = 1"]),
        ("5.7.8", ["SET GLOBAL read_only = 1", "SET GLOBAL super_read_only = 1"]),
        ("8.4.2", ["SET GLOBAL read_only = 1", "SET GLOBAL super_read_only = 1"]),
    ])
    func readOnlyStatements(version: String, expected: [String]) {
        #expect(FencingStatements(version: ServerVersion(parsing: version)).readOnly == expected)
    }

    @Test func onlyClientConnectionsAreKilled() {
        let processes: [FencingStatements.Process] = [
            .init(id: 1, user: "system user", command: "Daemon"),
            .init(id: 2, user: "event_scheduler", command: "Daemon"),
            .init(id: 3, user: "repl", command: "Binlog Dump GTID"),
            .init(id: 4, user: "repl", command: "Binlog Dump"),
            .init(id: 5, user: "app", command: "Query"),
            .init(id: 6, user: "app", command: "Sleep"),
            .init(id: 7, user: "system user", command: "Connect"),
            .init(id: 8, user: "app", command: "Killed"),
            .init(id: 9, user: "unauthenticated user", command: "Connect"),
        ]
        #expect(FencingStatements.clientConnections(processes) == [5, 6, 9])
        #expect(FencingStatements.kill(5) == "KILL CONNECTION 5")
    }
}
