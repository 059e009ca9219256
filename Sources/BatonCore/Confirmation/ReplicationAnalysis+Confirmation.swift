import Foundation

extension ReplicationAnalysis {
    /// The verdict as the API shows it once the group refused to confirm it because a voter saw the server alive:
    /// `UnreachableMaster` (or `UnreachableIntermediateMaster`) — unreachable from this node, alive for another —
    /// naming which node saw it and how. Not actionable. Any other verdict is returned unchanged.
    public func confirmed(by verdict: FailureConfirmation.Verdict?) -> ReplicationAnalysis {
        guard let verdict, verdict.failed == analyzedInstanceKey, verdict.decision == .refused,
            !verdict.seenAliveBy.isEmpty, let kind = RecoveryPlan.Kind(recovering: analysis)
        else { return self }
        var row = self
        row.analysis = kind == .deadPrimary ? .unreachableMaster : .unreachableIntermediateMaster
        row.isActionableRecovery = false
        row.description = "\(analysis.rawValue) from this node, but the Raft group does not confirm it: \(verdict.reason)"
        return row
    }
}
