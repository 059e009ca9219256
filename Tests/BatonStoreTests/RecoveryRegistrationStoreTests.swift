import BatonCore
import BatonStore
import Foundation
import Testing

/// Registration checked from the stored state, resolutions of running recoveries only, the executing mark, ids that
/// come from the caller (a Raft log index), and the digest of the replicated tables.
struct RecoveryRegistrationStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let failed = InstanceKey(hostname: "db-1", port: 3306)
    let automatic = RegistrationRules(isManual: false, blockSeconds: 3600)

    func recovery(_ uid: String, id: Int64 = 0, at offset: TimeInterval = 0) -> RecoveryRecord {
        RecoveryRecord(
            id: id, uid: uid, failedKey: failed, clusterName: "db-1:3306", analysis: .deadMaster, kind: .masterRecovery,
            processingNode: "node-a", startedAt: now.addingTimeInterval(offset))
    }

    func refusal(_ registration: BatonDatabase.RecoveryRegistration) -> (reason: String, blocking: String?)? {
        if case .refused(let reason, let blocking) = registration { return (reason, blocking?.uid) }
        return nil
    }

    /// How the stored state is prepared, and the refusal an automatic registration at `now` meets (manual ones
    /// always pass here: nothing runs).
    enum Setup: String, CaseIterable, Sendable {
        case switchOff, downtimed, expiredDowntime, recentlyRecovered, acknowledged, notAttempted

        var refusal: (reason: String, blocking: String?)? {
            switch self {
            case .switchOff: ("disabled globally", nil)
            case .downtimed: ("downtimed", nil)
            case .recentlyRecovered: ("recovered recently", "old")
            case .expiredDowntime, .acknowledged, .notAttempted: nil
            }
        }
    }

    @Test(arguments: Setup.allCases)
    func automaticRegistrationIsCheckedAgainstTheStoredState(_ setup: Setup) throws {
        let database = try BatonDatabase()
        switch setup {
        case .switchOff:
            try database.saveSetting(BatonDatabase.recoveriesSwitchSetting, "disabled")
        case .downtimed, .expiredDowntime:
            let ends = now.addingTimeInterval(setup == .downtimed ? 60 : -1)
            try database.saveDowntime(Downtime(key: failed, endsAt: ends), beginsAt: now.addingTimeInterval(-600))
        case .recentlyRecovered, .acknowledged, .notAttempted:
            _ = try database.registerRecovery(recovery("old", at: -1200))
            try database.resolveRecovery(
                uid: "old",
                RecoveryResolution(endedAt: now.addingTimeInterval(-600), attempted: setup != .notAttempted, isSuccessful: true))
            if setup == .acknowledged {
                _ = try database.acknowledgeRecoveries(.uid("old"), by: "ops", comment: "", at: now)
            }
        }
        let answer = try database.registerRecovery(recovery("new"), rules: automatic)
        if let expected = setup.refusal {
            let got = try #require(refusal(answer))
            #expect(got.reason.contains(expected.reason), "\(got.reason)")
            #expect(got.blocking == expected.blocking)
            #expect(try database.recoveries(.uid("new")).isEmpty)
        } else {
            guard case .registered = answer else {
                Issue.record("refused: \(answer)")
                return
            }
        }
        let manual = try database.registerRecovery(
            recovery("manual", at: 1), rules: RegistrationRules(isManual: true, blockSeconds: 3600))
        if setup.refusal != nil {
            guard case .registered = manual else {
                Issue.record("a manual recovery was refused: \(manual)")
                return
            }
        }
    }

    @Test func aRunningRecoveryStillLocksItsClusterAndAUIDRegistersOnce() throws {
        let database = try BatonDatabase()
        _ = try database.registerRecovery(recovery("a"), rules: automatic)
        guard case .clusterLocked(let holder) = try database.registerRecovery(recovery("b"), rules: automatic) else {
            Issue.record("registered beside a running recovery")
            return
        }
        #expect(holder.uid == "a")
        try database.resolveRecovery(uid: "a", RecoveryResolution(endedAt: now, attempted: false, isSuccessful: false))
        #expect(refusal(try database.registerRecovery(recovery("a", at: 1), rules: automatic))?.blocking == "a")
    }

    @Test func onlyARunningRecoveryIsResolved() throws {
        let database = try BatonDatabase()
        _ = try database.registerRecovery(recovery("a"))
        let first = RecoveryResolution(
            endedAt: now.addingTimeInterval(5), attempted: true, isSuccessful: true, successor: InstanceKey(hostname: "db-2", port: 3306))
        #expect(try database.resolveRecovery(uid: "a", first))
        let interrupted = RecoveryResolution(
            endedAt: now.addingTimeInterval(9), attempted: false, isSuccessful: false, errors: ["interrupted"])
        #expect(try !database.resolveRecovery(uid: "a", interrupted))
        #expect(try !database.resolveRecovery(uid: "unknown", interrupted))
        let stored = try #require(try database.recoveries(.uid("a")).first)
        #expect(stored.endedAt == first.endedAt && stored.isSuccessful && stored.errors.isEmpty)
    }

    @Test func theExecutingMarkIsSetOnceAndOnlyWhileRunning() throws {
        let database = try BatonDatabase()
        _ = try database.registerRecovery(recovery("a"))
        #expect(try database.recoveries(.uid("a")).first?.executingAt == nil)
        #expect(try database.markRecoveryExecuting(uid: "a", at: now.addingTimeInterval(1)))
        #expect(try database.markRecoveryExecuting(uid: "a", at: now.addingTimeInterval(2)))
        #expect(try database.recoveries(.uid("a")).first?.executingAt == now.addingTimeInterval(1))
        try database.resolveRecovery(uid: "a", RecoveryResolution(endedAt: now.addingTimeInterval(3), attempted: true, isSuccessful: false))
        #expect(try !database.markRecoveryExecuting(uid: "a", at: now.addingTimeInterval(4)))
        #expect(try !database.markRecoveryExecuting(uid: "unknown", at: now))
    }

    @Test func idsComeFromTheCallerOrFollowTheLargest() throws {
        let database = try BatonDatabase()
        guard case .registered(let given) = try database.registerRecovery(recovery("a", id: 40)) else {
            Issue.record("not registered")
            return
        }
        #expect(given.id == 40)
        try database.resolveRecovery(uid: "a", RecoveryResolution(endedAt: now, attempted: false, isSuccessful: false))
        guard case .registered(let next) = try database.registerRecovery(recovery("b", at: 1)) else {
            Issue.record("not registered")
            return
        }
        #expect(next.id == 41)
        try database.appendRecoveryStep(RecoveryStepRecord(id: 45, recoveryUID: "b", at: now, message: "one"))
        try database.appendRecoveryStep(RecoveryStepRecord(recoveryUID: "b", at: now, message: "two"))
        #expect(try database.recoverySteps(uid: "b").map(\.id) == [45, 46])
        let detection = FailureDetectionRecord(
            id: 50, key: failed, clusterName: "db-1:3306", analysis: .deadMaster, detectedAt: now,
            endsActivePeriod: now.addingTimeInterval(60), document: Data("{}".utf8))
        #expect(try database.registerDetection(detection).record.id == 50)

        // Cleared and rebuilt with the same ids (as a Raft node replays its log): SQLite's own sequence, which still
        // remembers 46, decides nothing.
        try database.clearReplicatedState()
        _ = try database.registerRecovery(recovery("a", id: 40))
        try database.appendRecoveryStep(RecoveryStepRecord(id: 42, recoveryUID: "a", at: now, message: "again"))
        #expect(try database.recoveries().map(\.id) == [40])
        #expect(try database.recoverySteps(uid: "a").map(\.id) == [42])
    }

    @Test func theDigestCoversTheReplicatedTablesAndSurvivesASnapshot() throws {
        let one = try BatonDatabase(), two = try BatonDatabase()
        for database in [one, two] {
            try database.saveDowntime(Downtime(key: failed, owner: "ops", reason: "r", endsAt: now), beginsAt: now)
            try database.saveSetting(BatonDatabase.recoveriesSwitchSetting, "disabled")
            _ = try database.registerRecovery(recovery("a", id: 3))
            try database.appendRecoveryStep(RecoveryStepRecord(id: 4, recoveryUID: "a", at: now, message: "m"))
        }
        #expect(try one.replicatedStateDigest() == two.replicatedStateDigest())
        #expect(try one.replicatedStateDigest().count == 64)

        _ = try two.markRecoveryExecuting(uid: "a", at: now)
        #expect(try one.replicatedStateDigest() != two.replicatedStateDigest())

        var state = try two.replicatedState()
        state.recoveries[0].confirmationDocument = Data(#"{"votes":2}"#.utf8)
        let restored = try BatonDatabase()
        try restored.restoreReplicatedState(state)
        #expect(try restored.replicatedState() == state)
        #expect(try restored.recoveries(.id(3)).first?.confirmationDocument == Data(#"{"votes":2}"#.utf8))
        #expect(try restored.replicatedStateDigest() != two.replicatedStateDigest())
        try two.restoreReplicatedState(state)
        #expect(try restored.replicatedStateDigest() == two.replicatedStateDigest())
    }
}
