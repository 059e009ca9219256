import BatonCore
import BatonStore
import Foundation
import Logging
import Synchronization

extension RecoveryCoordinator {
    /// The group's confirmation, before a recovery of a dead primary or intermediate primary is registered (see
    /// `FailureConfirmation`). Skipped on a single node, for a graceful takeover and for `force-master-failover` (the
    /// operator demotes a live primary on purpose). Anything but `confirmed` stops here: nothing is registered, and
    /// the failure is considered again at the next look.
    func confirm(
        _ request: RecoveryRequest, kind: RecoveryPlan.Kind
    ) async -> PhaseOutcome<FailureConfirmation.Verdict?> {
        guard let confirmation, request.graceful == nil, request.command != "force-master-failover" else {
            return .proceed(nil)
        }
        let row = request.analysis
        let replicas = Set(row.replicas).union(monitor.replicaKeys(of: row.analyzedInstanceKey)).sorted()
        let verdict = await confirmation.confirm(
            PeerViewRequest(failed: row.analyzedInstanceKey, replicas: replicas), isPrimary: kind == .deadPrimary)
        let at = now()
        let previous = confirmations.withLock { recorded in
            defer { recorded[row.analyzedInstanceKey] = RecordedConfirmation(verdict: verdict, at: at) }
            return recorded[row.analyzedInstanceKey]?.verdict
        }
        // Asked again every second while the failure lasts: a verdict is news once, then detail.
        logger.log(
            level: previous?.decision == verdict.decision && previous?.reason == verdict.reason ? .debug : .notice,
            "Failure confirmation",
            metadata: [
                "baton.instance": "\(row.analyzedInstanceKey)", "baton.confirmation": "\(verdict.decision.rawValue)",
                "baton.reason": "\(verdict.reason)", "baton.confirmation.ms": "\(verdict.milliseconds ?? 0)",
            ])
        guard verdict.decision == .confirmed else {
            return .abandon(
                reason: "the Raft group does not confirm the failure (\(verdict.decision.rawValue)): \(verdict.reason)")
        }
        return .proceed(verdict)
    }

    /// The last confirmation round about `key`, while it is recent (a few looks old at most): the API shows a failure
    /// the group refused because a voter saw the server alive as `UnreachableMaster`.
    public func recentConfirmation(of key: InstanceKey) -> FailureConfirmation.Verdict? {
        let horizon = now().addingTimeInterval(-max(10, 3 * configuration.reconsiderInterval.inSeconds))
        return confirmations.withLock { $0[key] }.flatMap { $0.at >= horizon ? $0.verdict : nil }
    }

    /// The detector's verdicts as the API shows them: those the group refused because a voter saw the server alive
    /// are `UnreachableMaster`, naming the node.
    public func presentedAnalysis(_ rows: [ReplicationAnalysis]) -> [ReplicationAnalysis] {
        rows.map { $0.confirmed(by: recentConfirmation(of: $0.analyzedInstanceKey)) }
    }

    /// Audit lines for the votes of a confirmation round.
    static func describe(_ verdict: FailureConfirmation.Verdict) -> [String] {
        var lines = [
            "group confirmation: \(verdict.decision.rawValue) — \(verdict.reason)"
                + (verdict.milliseconds.map { " (round: \($0) ms)" } ?? "")
        ]
        lines += verdict.votes.map { "vote of \($0.node): " + describe($0) }
        if !verdict.replicas.isEmpty {
            lines.append("replicas: " + verdict.replicas.map { "\($0.key) \($0.state.rawValue)" }.joined(separator: ", "))
        }
        return lines
    }

    static func describe(_ vote: FailureConfirmation.Vote) -> String {
        guard vote.answered else { return "no vote (\(vote.note))" }
        let reach =
            switch vote.reachesFailed {
            case true?: "reaches it"
            case false?: "cannot reach it"
            case nil: "does not watch it"
            }
        return reach + (vote.sawAlive.map { ", sees it alive (\($0))" } ?? "")
            + (vote.milliseconds.map { " in \($0) ms" } ?? "") + (vote.note.isEmpty ? "" : " (\(vote.note))")
    }
}

/// A confirmation round's verdict and when it was decided.
struct RecordedConfirmation: Sendable {
    var verdict: FailureConfirmation.Verdict
    var at: Date
}

extension RecoveryCoordinator {
    /// Why `recovery` may not change a server now, or nil when it may: this node must still lead in the term that
    /// registered it (a node that lost leadership and won it back does not resume an old plan), and the recovery must
    /// still be running in the applied, replicated state (another leader may have resolved it as interrupted).
    func whyNotRunning(_ recovery: RecoveryInProgress) -> String? {
        let term = leadership.leadingTerm
        guard term == recovery.term else {
            return term == nil
                ? "this node is no longer the leader"
                : "this node leads again, in term \(term ?? 0), but the recovery was registered in term \(recovery.term)"
        }
        guard let running = try? database.runningRecoveries(), running.contains(where: { $0.uid == recovery.record.uid })
        else { return "the recovery is no longer running in the replicated state (resolved by another leader)" }
        return nil
    }
}
