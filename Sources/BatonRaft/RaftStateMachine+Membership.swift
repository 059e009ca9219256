extension RaftStateMachine {
    /// Proposes a change of the cluster configuration (leader only), one server at a time.
    ///
    /// Refused while an earlier change is uncommitted, before the leader has committed an entry of its own term
    /// (the fix for single-server changes from the Raft thesis' errata), and when promoting a learner whose log has
    /// not reached the commit index yet. The new configuration takes effect as soon as it is appended.
    ///
    /// - Returns: the position of the membership entry; the change is done once that entry is committed.
    @discardableResult
    public mutating func proposeMembershipChange(_ change: RaftMembershipChange) throws(RaftError) -> RaftLogPosition {
        try requireLeaderAcceptingProposals()
        guard membershipHistory[membershipHistory.count - 1].index <= log.committed else {
            throw RaftError(.membershipChangeInProgress, "the previous membership change is not committed yet")
        }
        guard log.term(at: log.committed) == term else {
            throw RaftError(.membershipChangeInProgress, "the leader has not committed an entry of its term yet")
        }
        if case .promote(let node) = change, let peer = progress.first(where: { $0.id == node }),
            peer.match < log.committed
        {
            throw RaftError(
                .learnerNotCaughtUp, "learner \(node) holds \(peer.match) of \(log.committed) committed entries")
        }
        let next = try membership.applying(change)
        return appendAndReplicate(kind: .membership, data: next.encoded())
    }

    /// Brings the leader's progress list in line with the configuration: one entry per other member.
    mutating func syncProgressWithMembership(newlyAdded: Bool) {
        var updated: [RaftProgress] = []
        for member in membership.members where member.id != id {
            if var existing = progress.first(where: { $0.id == member.id }) {
                existing.isLearner = member.role == .learner
                updated.append(existing)
            } else {
                // A member added while leading gets a CheckQuorum period's grace before it must have answered.
                updated.append(
                    RaftProgress(
                        id: member.id, next: log.lastIndex + 1, isLearner: member.role == .learner,
                        recentActive: newlyAdded))
            }
        }
        progress = updated
    }

    /// Whether this leader is not a voter of a configuration that is now committed.
    func leaderRemovedByCommittedChange() -> Bool {
        !isVoter && membershipHistory[membershipHistory.count - 1].index <= log.committed
    }

    /// A removed leader steps down once its removal commits, and asks the most up-to-date voter to take over.
    mutating func stepDownAfterRemoval() {
        broadcastAppend()  // carry the commit index to the followers first
        var successor: RaftProgress?
        for peer in progress where membership.isVoter(peer.id) {
            if successor == nil || peer.match > successor!.match { successor = peer }
        }
        if let successor, successor.match == log.lastIndex {
            send(to: successor.id, .timeoutNow)
        }
        becomeFollower(term: term, leader: nil)
    }
}
