import BatonRaft

/// Checks Raft's safety properties across the whole simulated cluster, incrementally, after every step.
///
/// * Election safety: at most one leader per term.
/// * Leader append-only: a leader never removes or rewrites entries of its log during its term.
/// * Log matching: an (index, term) pair identifies the same entry, with the same predecessor, in every log.
/// * Leader completeness: a new leader holds every entry committed so far.
/// * State-machine safety: every node applies the same entry at each index, in order, without gaps.
/// * One vote per term: no node grants its (real) vote to two candidates in one term, across crashes.
struct RaftInvariantChecker {
    private struct EntryKey: Hashable {
        var index: UInt64
        var term: UInt64
    }

    private struct EntryFacts {
        var digest: UInt64
        var previousTerm: UInt64?
    }

    private struct VoteKey: Hashable {
        var node: RaftNodeID
        var term: UInt64
    }

    private(set) var violation: String?
    private var leaderOfTerm: [UInt64: RaftNodeID] = [:]
    private var entries: [EntryKey: EntryFacts] = [:]
    private var votes: [VoteKey: RaftNodeID] = [:]
    /// Per committed index (position `index - 1`): term and digest of the entry, and its client op if a command.
    private(set) var committed: [(term: UInt64, digest: UInt64, op: UInt64?)] = []
    /// Per committed index (position `index - 1`): the term of the leader that committed it and the entry's term.
    private var commits: [(leaderTerm: UInt64, entryTerm: UInt64)] = []
    /// Per node slot: the leader term and last position it had at the previous check.
    private var leaderTail: [RaftNodeID: (term: UInt64, last: RaftLogPosition)] = [:]

    mutating func fail(_ message: String) {
        if violation == nil { violation = message }
    }

    static func digest(_ entry: RaftEntry) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(entry.kind.rawValue)
        for byte in entry.data {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01B3
        }
        return hash
    }

    /// Entries a node is about to persist: log matching.
    mutating func observeAppended(_ node: RaftNodeID, _ appended: [RaftEntry], in machine: RaftStateMachine) {
        for entry in appended {
            let key = EntryKey(index: entry.index, term: entry.term)
            let previousTerm = entry.index > 1 ? machine.term(at: entry.index - 1) : 0
            let facts = EntryFacts(digest: Self.digest(entry), previousTerm: previousTerm)
            if let known = entries[key] {
                if known.digest != facts.digest {
                    fail("log matching: n\(node) holds a different entry at \(key.index)@\(key.term)")
                } else if let a = known.previousTerm, let b = facts.previousTerm, a != b {
                    fail("log matching: n\(node) has entry \(key.index)@\(key.term) after term \(b), elsewhere after \(a)")
                }
                if known.previousTerm == nil && facts.previousTerm != nil { entries[key] = facts }
            } else {
                entries[key] = facts
            }
        }
    }

    /// A message is really leaving a node: a granted vote is a promise.
    mutating func observeSent(_ message: RaftMessage) {
        guard case .voteResponse(let response) = message.payload, response.granted, !response.preVote else { return }
        let key = VoteKey(node: message.from, term: message.term)
        if let earlier = votes[key], earlier != message.to {
            fail("one vote per term: n\(message.from) voted for n\(earlier) and n\(message.to) in term \(message.term)")
        }
        votes[key] = message.to
    }

    /// A node applies a committed entry: state-machine safety, and the global committed sequence.
    mutating func observeApplied(_ node: RaftNodeID, _ entry: RaftEntry, previousApplied: UInt64) {
        if entry.index != previousApplied + 1 {
            fail("state-machine safety: n\(node) applied \(entry.index) after \(previousApplied)")
        }
        let digest = Self.digest(entry)
        let slot = Int(entry.index) - 1
        if slot < committed.count {
            let known = committed[slot]
            if known.term != entry.term || known.digest != digest {
                fail("state-machine safety: n\(node) applied \(entry.index)@\(entry.term), others \(entry.index)@\(known.term)")
            }
        } else if slot == committed.count {
            committed.append((entry.term, digest, entry.kind == .command ? RaftSimulationApp.op(entry.data) : nil))
        } else {
            fail("state-machine safety: n\(node) applied \(entry.index) before anyone applied \(committed.count + 1)")
        }
    }

    /// A node restores a snapshot from its leader: it must hold exactly the committed operations through its index.
    mutating func observeRestored(_ node: RaftNodeID, _ snapshot: RaftSnapshot, ops: [UInt64]?) {
        let index = Int(snapshot.metadata.index)
        guard let ops else { return fail("snapshot: n\(node) received undecodable snapshot data") }
        guard index <= committed.count else {
            return fail("snapshot: n\(node) installed a snapshot at \(index) beyond anything applied (\(committed.count))")
        }
        if index > 0, committed[index - 1].term != snapshot.metadata.term {
            fail("snapshot: n\(node) installed \(snapshot.metadata.position), committed term \(committed[index - 1].term)")
        }
        let expected = committed[..<index].compactMap(\.op)
        if expected != ops { fail("snapshot: n\(node) installed a snapshot whose state differs from the log's") }
    }

    /// After every step of a node: election safety, append-only, local sanity, and completeness for new leaders.
    ///
    /// A leader counts from the moment its term is durable: a sole voter wins its election the moment it votes for
    /// itself, and if it crashes before that vote is on disk it was never leader for anyone (it sent nothing).
    mutating func check(_ node: RaftNodeID, _ machine: RaftStateMachine, durableTerm: UInt64) {
        let status = machine.status
        if !(status.appliedIndex <= status.commitIndex && status.commitIndex <= status.lastLog.index) {
            fail("n\(node): applied \(status.appliedIndex) ≤ commit \(status.commitIndex) ≤ last \(status.lastLog.index) fails")
        }
        guard status.role == .leader, durableTerm == status.term else {
            if status.role != .leader { leaderTail[node] = nil }
            return
        }
        if let other = leaderOfTerm[status.term], other != node {
            fail("election safety: n\(other) and n\(node) both lead term \(status.term)")
        }
        if let tail = leaderTail[node], tail.term == status.term {
            let stillThere = tail.last.index <= status.logBase.index || machine.term(at: tail.last.index) == tail.last.term
            if status.lastLog.index < tail.last.index || !stillThere {
                fail("leader append-only: n\(node) lost \(tail.last) during term \(status.term)")
            }
        } else {
            leaderOfTerm[status.term] = node
            checkCompleteness(node, machine, status)
        }
        leaderTail[node] = (status.term, status.lastLog)
    }

    /// A leader made its commit index durable (with the entries it covers): those entries are committed, in its
    /// term. (A leader's in-memory commit index can run ahead of its own disk in a one-voter configuration; nothing
    /// is applied or acknowledged before the batch is durable, so only durable commits count.)
    ///
    /// - Returns: whether this advanced the highest committed index known.
    mutating func observeLeaderCommit(_ machine: RaftStateMachine, through commit: UInt64) -> Bool {
        let before = commits.count
        while UInt64(commits.count) < commit {
            let index = UInt64(commits.count + 1)
            guard let entryTerm = machine.term(at: index) else { break }
            commits.append((machine.currentTerm, entryTerm))
        }
        return commits.count > before
    }

    /// Raft's leader completeness: an entry committed in term T is in the log of every leader of a term after T.
    private mutating func checkCompleteness(_ node: RaftNodeID, _ machine: RaftStateMachine, _ status: RaftStatus) {
        for (offset, commit) in commits.enumerated().reversed() where commit.leaderTerm < status.term {
            let index = UInt64(offset + 1)
            if index <= status.logBase.index { break }  // covered by the snapshot behind the log
            if machine.term(at: index) != commit.entryTerm {
                return fail(
                    "leader completeness: n\(node) leads term \(status.term) without entry \(index)@\(commit.entryTerm), "
                        + "committed in term \(commit.leaderTerm)")
            }
        }
    }

    /// The committed client operations, in log order.
    var committedOps: [UInt64] { committed.compactMap(\.op) }
}
