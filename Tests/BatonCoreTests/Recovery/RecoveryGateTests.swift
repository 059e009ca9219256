import BatonCore
import Foundation
import Testing

@Suite struct RecoveryGateTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func facts(_ change: (inout RecoveryGate.Facts) -> Void = { _ in }) -> RecoveryGate.Facts {
        var facts = RecoveryGate.Facts(
            isLeader: true, recoveriesEnabled: true, analysis: .deadMaster, cluster: "db-1:3306", isDowntimed: false,
            recoveries: [], blockSeconds: 3600, masterFilter: ClusterFilter(["*"]),
            intermediateMasterFilter: ClusterFilter([]), now: now)
        change(&facts)
        return facts
    }

    func reason(_ verdict: RecoveryGate.Verdict) -> String? {
        if case .refused(let reason, _) = verdict { return reason }
        return nil
    }

    @Test func proceedsWhenEverythingAllows() {
        #expect(RecoveryGate.check(facts()) == .proceed)
    }

    /// One fact changed from the allowing baseline, and the words the refusal must contain.
    enum Refusal: CaseIterable, Sendable {
        case notLeader, notRecoverable, disabled, downtimed, notInMasterFilter, notInIntermediateFilter

        var expected: String {
            switch self {
            case .notLeader: "not the leader"
            case .notRecoverable: "not recoverable"
            case .disabled: "disabled globally"
            case .downtimed: "downtimed"
            case .notInMasterFilter: "RecoverMasterClusterFilters"
            case .notInIntermediateFilter: "RecoverIntermediateMasterClusterFilters"
            }
        }

        func apply(_ facts: inout RecoveryGate.Facts) {
            switch self {
            case .notLeader: facts.isLeader = false
            case .notRecoverable: facts.analysis = .unreachableMaster
            case .disabled: facts.recoveriesEnabled = false
            case .downtimed: facts.isDowntimed = true
            case .notInMasterFilter: facts.masterFilter = ClusterFilter([])
            case .notInIntermediateFilter: facts.analysis = .deadIntermediateMaster
            }
        }
    }

    @Test(arguments: Refusal.allCases)
    func refusesWithAReason(refusal: Refusal) {
        let verdict = RecoveryGate.check(facts { refusal.apply(&$0) })
        #expect(reason(verdict)?.contains(refusal.expected) == true, "\(verdict)")
    }

    @Test func aRunningRecoveryBlocksHoweverLongItTakesEvenManualOnes() {
        let started = now.addingTimeInterval(-86_400)  // a day ago, far beyond RecoveryPeriodBlockSeconds
        let verdict = RecoveryGate.check(facts {
            $0.recoveries = [.init(id: 7, cluster: "db-1:3306", startedAt: started, endedAt: nil)]
            $0.isManual = true
        })
        #expect(verdict == .refused(reason: "recovery 7 of db-1:3306 is still running", blockingRecovery: 7))
    }

    /// A cluster is named after its primary, so the cluster a failover produced has a new name: a failure of the
    /// promoted instance is still blocked, through the successor.
    @Test func theSuccessorOfARecentRecoveryIsBlockedUnderItsClustersNewName() {
        let promoted = InstanceKey(hostname: "db-2", port: 3306)
        let recent = RecoveryGate.PastRecovery(
            id: 7, cluster: "db-1:3306", startedAt: now.addingTimeInterval(-700), endedAt: now.addingTimeInterval(-600),
            successor: promoted)
        let verdict = RecoveryGate.check(facts {
            $0.cluster = "db-2:3306"
            $0.failedKey = promoted
            $0.recoveries = [recent]
        })
        #expect(verdict == .refused(
            reason: "db-2:3306 took over recently (recovery 7); blocked until "
                + "\(OrchestratorTimestamp.format(now.addingTimeInterval(3000))) unless acknowledged",
            blockingRecovery: 7))
        let other = RecoveryGate.check(facts {
            $0.cluster = "db-2:3306"
            $0.failedKey = InstanceKey(hostname: "db-3", port: 3306)
            $0.recoveries = [recent]
        })
        #expect(other == .proceed)
    }

    @Test func aFinishedRecoveryBlocksForThePeriodAfterItEndedUnlessAcknowledged() {
        let recent = RecoveryGate.PastRecovery(
            id: 3, cluster: "db-1:3306", startedAt: now.addingTimeInterval(-4000), endedAt: now.addingTimeInterval(-600))
        guard case .refused(_, let blocking) = RecoveryGate.check(facts { $0.recoveries = [recent] }) else {
            Issue.record("expected a block")
            return
        }
        #expect(blocking == 3)
        var acknowledged = recent
        acknowledged.acknowledged = true
        #expect(RecoveryGate.check(facts { $0.recoveries = [acknowledged] }) == .proceed)
        var old = recent
        old.endedAt = now.addingTimeInterval(-3601)
        #expect(RecoveryGate.check(facts { $0.recoveries = [old] }) == .proceed)
        var otherCluster = recent
        otherCluster.cluster = "db-9:3306"
        #expect(RecoveryGate.check(facts { $0.recoveries = [otherCluster] }) == .proceed)
        #expect(RecoveryGate.check(facts { $0.recoveries = [recent]; $0.isManual = true }) == .proceed)
    }

    @Test(arguments: [
        (["*"], "db-1:3306", "", true), (["db-1:3306"], "db-1:3306", "", true), (["db-2"], "db-1:3306", "", false),
        (["^db-1"], "db-1:3306", "", true), (["alias=orders"], "db-1:3306", "orders", true),
        (["alias=orders"], "db-1:3306", "", false), (["alias~=^ord"], "db-1:3306", "orders", true),
        (["orders"], "db-1:3306", "orders", true), ([], "db-1:3306", "", false),
    ])
    func clusterFilters(entries: [String], cluster: String, alias: String, allowed: Bool) {
        #expect((ClusterFilter(entries).matchingEntry(cluster: cluster, alias: alias) != nil) == allowed)
    }

    @Test func invalidFilterEntriesAreReported() {
        #expect(ClusterFilter(["*", "alias=x", "(", "alias~=["]).invalidEntries == ["(", "alias~=["])
    }
}
