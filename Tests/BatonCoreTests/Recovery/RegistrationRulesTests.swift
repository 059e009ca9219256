import BatonCore
import Foundation
import Testing

/// The check a registration meets where it is applied: the replicated facts at the record's `startedAt`, never a
/// clock and never the cluster filters.
@Suite struct RegistrationRulesTests {
    static let startedAt = Date(timeIntervalSince1970: 1_800_000_000)
    static let failed = InstanceKey(hostname: "db-1", port: 3306)
    static let promoted = InstanceKey(hostname: "db-2", port: 3306)

    static func past(
        _ id: Int64, cluster: String = "db-1:3306", endedAgo: TimeInterval?, attempted: Bool = true,
        acknowledged: Bool = false, successor: InstanceKey? = nil
    ) -> RecoveryRecord {
        var record = RecoveryRecord(
            id: id, uid: "past-\(id)", failedKey: InstanceKey(hostname: "old", port: 3306), clusterName: cluster,
            analysis: .deadMaster, kind: .masterRecovery, processingNode: "node-a",
            startedAt: startedAt.addingTimeInterval(-7200))
        record.endedAt = endedAgo.map { startedAt.addingTimeInterval(-$0) }
        record.attempted = attempted
        record.acknowledged = acknowledged
        record.successor = successor
        return record
    }

    /// A change to the allowing baseline, whether a manual recovery is still let through, and the words of the
    /// refusal (`nil`: registered) with the id of the recovery in the way.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var enabled = true
        var downtimeEndsIn: TimeInterval?
        var recoveries: [RecoveryRecord] = []
        var automatic: (reason: String, blocking: Int64?)?
        var manual: (reason: String, blocking: Int64?)?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "nothing in the way"),
        Case(
            name: "a running recovery of the cluster", recoveries: [past(7, endedAgo: nil)],
            automatic: ("still running", 7), manual: ("still running", 7)),
        Case(name: "the global switch off", enabled: false, automatic: ("disabled globally", nil)),
        Case(name: "the failed instance downtimed at startedAt", downtimeEndsIn: 60, automatic: ("downtimed", nil)),
        Case(name: "a downtime that ended before startedAt", downtimeEndsIn: -1),
        Case(
            name: "an attempted recovery that ended within the block", recoveries: [past(7, endedAgo: 600)],
            automatic: ("recovered recently (recovery 7)", 7)),
        Case(name: "one that ended before the block", recoveries: [past(7, endedAgo: 3601)]),
        Case(name: "one that was acknowledged", recoveries: [past(7, endedAgo: 600, acknowledged: true)]),
        Case(name: "one that was not attempted", recoveries: [past(7, endedAgo: 600, attempted: false)]),
        Case(
            name: "one of another cluster that promoted the failed instance",
            recoveries: [past(7, cluster: "db-0:3306", endedAgo: 600, successor: failed)],
            automatic: ("took over recently (recovery 7)", 7)),
        Case(
            name: "one of another cluster that promoted someone else",
            recoveries: [past(7, cluster: "db-0:3306", endedAgo: 600, successor: promoted)]),
    ]

    @Test(arguments: cases, [false, true])
    func registration(_ test: Case, isManual: Bool) {
        let record = RecoveryRecord(
            uid: "new", failedKey: Self.failed, clusterName: "db-1:3306", analysis: .deadMaster, kind: .masterRecovery,
            processingNode: "node-b", startedAt: Self.startedAt)
        let downtimes = test.downtimeEndsIn.map {
            [Downtime(key: Self.failed, owner: "ops", reason: "maintenance", endsAt: Self.startedAt.addingTimeInterval($0))]
        } ?? []
        let verdict = RegistrationRules(isManual: isManual, blockSeconds: 3600).check(
            record,
            RegistrationRules.Facts(recoveriesEnabled: test.enabled, downtimes: downtimes, recoveries: test.recoveries))
        guard let expected = isManual ? test.manual : test.automatic else {
            #expect(verdict == .proceed)
            return
        }
        guard case .refused(let reason, let blocking) = verdict else {
            Issue.record("registered, but \(expected.reason) should refuse it")
            return
        }
        #expect(reason.contains(expected.reason), "\(reason)")
        #expect(blocking == expected.blocking)
    }

    @Test func filtersAreNotReplicatedAndDoNotApply() {
        let record = RecoveryRecord(
            uid: "new", failedKey: Self.failed, clusterName: "not-in-any-filter", analysis: .deadIntermediateMaster,
            kind: .intermediateMasterRecovery, processingNode: "node-b", startedAt: Self.startedAt)
        let verdict = RegistrationRules(isManual: false, blockSeconds: 3600).check(
            record, RegistrationRules.Facts(recoveriesEnabled: true, downtimes: [], recoveries: []))
        #expect(verdict == .proceed)
    }

    @Test func theRulesTravelInTheLog() throws {
        let rules = RegistrationRules(isManual: true, blockSeconds: 42)
        #expect(try JSONDecoder().decode(RegistrationRules.self, from: JSONEncoder().encode(rules)) == rules)
    }
}
