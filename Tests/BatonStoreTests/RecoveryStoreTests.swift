import BatonCore
import BatonStore
import Foundation
import Testing

/// The recovery tables: the per-cluster lock, resolution, the audit trail, acknowledgements, blocked recoveries.
struct RecoveryStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let failed = InstanceKey(hostname: "db-1", port: 3306)

    func recovery(_ uid: String, cluster: String = "db-1:3306", at offset: TimeInterval = 0) -> RecoveryRecord {
        RecoveryRecord(
            uid: uid, failedKey: failed, clusterName: cluster, analysis: .deadMaster, kind: .masterRecovery,
            processingNode: "node-a", startedAt: now.addingTimeInterval(offset))
    }

    func registered(_ registration: BatonDatabase.RecoveryRegistration) -> RecoveryRecord? {
        if case .registered(let record) = registration { return record }
        return nil
    }

    @Test func aRunningRecoveryLocksItsClusterUntilResolved() throws {
        let database = try BatonDatabase()
        let first = try #require(registered(try database.registerRecovery(recovery("a"))))
        #expect(first.id > 0)
        guard case .clusterLocked(let holder) = try database.registerRecovery(recovery("b")) else {
            Issue.record("a second recovery of the cluster was registered beside a running one")
            return
        }
        #expect(holder.uid == "a")
        #expect(registered(try database.registerRecovery(recovery("c", cluster: "other:3306"))) != nil)

        try database.resolveRecovery(
            uid: "a",
            RecoveryResolution(
                endedAt: now.addingTimeInterval(5), attempted: true, isSuccessful: true,
                successor: InstanceKey(hostname: "db-2", port: 3306), lostReplicas: [InstanceKey(hostname: "db-4", port: 3306)],
                participatingInstances: [failed], errors: ["db-4: cannot repoint"]))
        let resolved = try #require(try database.recoveries(.uid("a")).first)
        #expect(resolved.endedAt == now.addingTimeInterval(5))
        #expect(resolved.successor == InstanceKey(hostname: "db-2", port: 3306))
        #expect(resolved.lostReplicas == [InstanceKey(hostname: "db-4", port: 3306)])
        #expect(resolved.errors == ["db-4: cannot repoint"])
        #expect(registered(try database.registerRecovery(recovery("d", at: 10))) != nil)
    }

    @Test func recentRecoveriesIncludeThoseThatPromotedTheFailedInstance() throws {
        let database = try BatonDatabase()
        _ = try database.registerRecovery(recovery("a"))
        let promoted = InstanceKey(hostname: "db-2", port: 3306)
        try database.resolveRecovery(
            uid: "a", RecoveryResolution(endedAt: now.addingTimeInterval(5), attempted: true, isSuccessful: true, successor: promoted))
        let byCluster = try database.recentRecoveries(cluster: "db-2:3306", endedAfter: now)
        #expect(byCluster.isEmpty)
        let bySuccessor = try database.recentRecoveries(cluster: "db-2:3306", successor: promoted, endedAfter: now)
        #expect(bySuccessor.map(\.uid) == ["a"])
        #expect(bySuccessor.first?.pastRecovery?.successor == promoted)
        #expect(try database.recentRecoveries(cluster: "db-1:3306", endedAfter: now.addingTimeInterval(6)).isEmpty)
    }

    @Test func aRecoveryThatWasNotAttemptedNeverBlocks() throws {
        let database = try BatonDatabase()
        _ = try database.registerRecovery(recovery("a"))
        #expect(try database.recoveries(.uid("a")).first?.pastRecovery != nil, "running: it blocks")
        try database.resolveRecovery(
            uid: "a", RecoveryResolution(endedAt: now.addingTimeInterval(1), attempted: false, isSuccessful: false))
        #expect(try database.recoveries(.uid("a")).first?.pastRecovery == nil)
    }

    @Test func stepsAcknowledgementsAndBlockedRecoveriesAreKept() throws {
        let database = try BatonDatabase()
        let first = try #require(registered(try database.registerRecovery(recovery("a"))))
        try database.appendRecoveryStep(RecoveryStepRecord(recoveryUID: "a", at: now, message: "one"))
        try database.appendRecoveryStep(RecoveryStepRecord(recoveryUID: "a", at: now, message: "two"))
        #expect(try database.recoverySteps(uid: "a").map(\.message) == ["one", "two"])
        #expect(try database.runningRecoveries().map(\.uid) == ["a"])

        #expect(try database.acknowledgeRecoveries(.id(first.id), by: "ops", comment: "checked", at: now) == 1)
        #expect(try database.acknowledgeRecoveries(.id(first.id), by: "ops", comment: "again", at: now) == 0)
        let acknowledged = try #require(try database.recoveries(.cluster("db-1:3306")).first)
        #expect(acknowledged.acknowledged && acknowledged.acknowledgedBy == "ops" && acknowledged.acknowledgedComment == "checked")
        #expect(try database.recoveries(unacknowledgedOnly: true).isEmpty)

        let blocked = BlockedRecoveryRecord(
            failedKey: failed, clusterName: "db-1:3306", analysis: .deadMaster, lastBlockedAt: now, blockingRecoveryID: first.id,
            reason: "recently recovered")
        try database.recordBlockedRecovery(blocked)
        var later = blocked
        later.lastBlockedAt = now.addingTimeInterval(30)
        later.reason = "disabled globally"
        try database.recordBlockedRecovery(later)
        #expect(try database.blockedRecoveries(since: now) == [later])
        #expect(try database.blockedRecoveries(cluster: "other", since: now).isEmpty)
        #expect(try database.blockedRecoveries(since: now.addingTimeInterval(31)).isEmpty)
    }

    /// Pages come straight from API paths (`audit-recovery/:page`): a page whose offset does not fit in an Int was an
    /// arithmetic-overflow trap that killed the daemon.
    @Test(arguments: [Int.max, Int.max / 20 + 1, Int.min, -1])
    func aPageFarOutOfRangeIsEmptyOrTheFirstNotATrap(page: Int) throws {
        let database = try BatonDatabase()
        _ = try database.registerRecovery(recovery("a"))
        let expected = page < 0 ? ["a"] : []
        #expect(try database.recoveries(page: page).map(\.uid) == expected)
        #expect(try database.recoveries(.cluster("db-1:3306"), page: page).map(\.uid) == expected)
        #expect(try database.failureDetections(page: page).isEmpty)
    }
}
