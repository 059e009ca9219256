extension RaftStateMachine {
    /// Hands leadership to `target` (leader only): the leader stops accepting proposals, brings the target's log up
    /// to date and then tells it to campaign at once (TimeoutNow). The transfer is abandoned if the target has not
    /// taken over within an election timeout; proposals are accepted again then.
    public mutating func transferLeadership(to target: RaftNodeID) throws(RaftError) {
        guard role == .leader else {
            throw RaftError(.notLeader, "node \(id) is not the leader", leader: leader)
        }
        guard target != id, membership.isVoter(target), let i = progress.firstIndex(where: { $0.id == target })
        else {
            throw RaftError(.invalidTransferTarget, "node \(target) is this node or not a voter")
        }
        if transferTarget == target { return }
        transferTarget = target
        transferElapsed = 0
        if progress[i].match == log.lastIndex {
            send(to: target, .timeoutNow)
        } else {
            sendAppend(i, allowEmpty: true)
        }
    }
}
