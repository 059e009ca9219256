extension RaftStateMachine {
    mutating func tickElection() {
        electionElapsed += 1
        guard electionElapsed >= randomizedElectionTimeout, isPromotable else { return }
        electionElapsed = 0
        campaign(preVote: options.preVote, transfer: false)
    }

    mutating func tickLeader() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if transferTarget != nil {
            transferElapsed += 1
            if transferElapsed >= options.electionTicks { transferTarget = nil }  // the target did not take over
        }
        if electionElapsed >= options.electionTicks {
            electionElapsed = 0
            if options.checkQuorum {
                guard quorumRecentlyActive() else {
                    becomeFollower(term: term, leader: nil)  // cut off from the quorum: stop acting as leader
                    return
                }
                for i in progress.indices { progress[i].recentActive = false }
            }
        }
        if heartbeatElapsed >= options.heartbeatTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat()
        }
    }

    /// Whether a quorum of voters (this node included, if it votes) was heard from in this CheckQuorum period.
    func quorumRecentlyActive() -> Bool {
        let config = membership
        var active = 0
        for voter in config.voters {
            if voter == id || progress.first(where: { $0.id == voter })?.recentActive == true { active += 1 }
        }
        return active >= config.quorum
    }

    /// Starts a pre-vote round or an election.
    mutating func campaign(preVote: Bool, transfer: Bool) {
        let campaignTerm: UInt64
        if preVote {
            role = .preCandidate
            leader = nil
            campaignTerm = term + 1
        } else {
            role = .candidate
            leader = nil
            term += 1
            vote = id
            campaignTerm = term
        }
        progress = []
        transferTarget = nil
        electionElapsed = 0
        resetRandomizedElectionTimeout()
        votes = [(id, true)]
        if electionOutcome() == true {
            if preVote { campaign(preVote: false, transfer: false) } else { becomeLeader() }
            return
        }
        let request = RaftMessage.VoteRequest(lastLog: log.lastPosition, preVote: preVote, transfer: transfer)
        for voter in membership.voters where voter != id {
            send(to: voter, term: campaignTerm, .voteRequest(request))
        }
    }

    /// True when the granted votes make a quorum, false when the refusals make one impossible, nil otherwise.
    func electionOutcome() -> Bool? {
        let config = membership
        var granted = 0
        var refused = 0
        for (voter, vote) in votes where config.isVoter(voter) {
            if vote { granted += 1 } else { refused += 1 }
        }
        if granted >= config.quorum { return true }
        if config.voters.count - refused < config.quorum { return false }
        return nil
    }

    mutating func handleVoteRequest(_ message: RaftMessage, _ request: RaftMessage.VoteRequest) {
        let canVote =
            vote == message.from || (vote == nil && leader == nil) || (request.preVote && message.term > term)
        let upToDate =
            options.mutation == .skipVoteLogCheck || request.lastLog.isAtLeastAsUpToDate(as: log.lastPosition)
        if canVote && upToDate {
            send(to: message.from, term: message.term, .voteResponse(.init(granted: true, preVote: request.preVote)))
            if !request.preVote {
                electionElapsed = 0
                vote = message.from
            }
        } else {
            send(to: message.from, .voteResponse(.init(granted: false, preVote: request.preVote)))
        }
    }

    mutating func handleVoteResponse(_ message: RaftMessage, _ response: RaftMessage.VoteResponse) {
        if response.preVote {
            guard role == .preCandidate, message.term == term + 1 || !response.granted else { return }
        } else {
            guard role == .candidate else { return }
        }
        if let at = votes.firstIndex(where: { $0.id == message.from }) {
            votes[at].granted = response.granted
        } else {
            votes.append((message.from, response.granted))
        }
        switch electionOutcome() {
        case true?:
            if response.preVote { campaign(preVote: false, transfer: false) } else { becomeLeader() }
        case false?:
            becomeFollower(term: term, leader: nil)
        case nil:
            break
        }
    }

    /// - Parameter resetTimer: false when only a newer term was learned (from a candidate's request, say): the
    ///   election timer restarts on hearing from a leader or granting a vote (Raft §5.2), not on refusing one, so
    ///   that a node whose log is more up to date is not kept from campaigning by candidates that cannot win.
    mutating func becomeFollower(term newTerm: UInt64, leader newLeader: RaftNodeID?, resetTimer: Bool = true) {
        if newTerm > term {
            term = newTerm
            vote = nil
        }
        role = .follower
        leader = newLeader
        if resetTimer { electionElapsed = 0 }
        heartbeatElapsed = 0
        resetRandomizedElectionTimeout()
        votes = []
        progress = []
        transferTarget = nil
    }

    mutating func becomeLeader() {
        role = .leader
        leader = id
        electionElapsed = 0
        heartbeatElapsed = 0
        votes = []
        transferTarget = nil
        incomingSnapshot = nil
        progress = []
        syncProgressWithMembership(newlyAdded: false)
        // The no-op lets this term commit, and with it every earlier entry (Raft §5.4.2, §8).
        termStartIndex = appendAndReplicate(kind: .noop, data: []).index
        // A heartbeat at once: the runtime's lease runs from an acknowledged heartbeat's send, so the new leader can
        // act one round trip after winning rather than a heartbeat interval later.
        for peer in progress { send(to: peer.id, .heartbeat(.init(commit: min(peer.match, log.committed)))) }
    }
}
