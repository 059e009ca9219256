import BatonRaft

extension RaftSimulator {
    /// A leader just made index `index` durably committed. No voter lacking that entry may be able to win an
    /// election: that is, no voter whose durable log lacks it may be at least as up to date as enough voters to make
    /// a quorum. (This catches the Figure 8 bug when the commit happens, not only when a later leader overwrites it.)
    func checkCommitCannotBeLost(_ leader: RaftStateMachine, index: UInt64) {
        guard let term = leader.term(at: index) else { return }
        let membership = leader.membership
        let voters = membership.voters.map { nodes[Int($0.rawValue) - 1].durable }
        for (candidateID, candidate) in zip(membership.voters, voters) where candidate.term(at: index) != term {
            let last = candidate.lastPosition
            let supporters = voters.filter { last.isAtLeastAsUpToDate(as: $0.lastPosition) }.count
            if supporters >= membership.quorum {
                checker.fail(
                    "commit safety: n\(leader.id) committed \(index)@\(term) in term \(leader.currentTerm), but n\(candidateID) "
                        + "(last \(last)) lacks it and could still win the votes of a quorum")
                return
            }
        }
    }

    // MARK: Node lifecycle

    func start(_ slot: Int) {
        do {
            nodes[slot].machine = try RaftStateMachine(
                id: nodes[slot].id, options: nodes[slot].options, durable: nodes[slot].durable)
        } catch {
            return checker.fail("n\(slot + 1) cannot start from its durable state: \(error)")
        }
        nodes[slot].started = true
        nodes[slot].generation += 1
        if let snapshot = nodes[slot].durable.snapshot {
            let ops = RaftSimulationApp.restore(snapshot.data)
            checker.observeRestored(nodes[slot].id, snapshot, ops: ops)
            nodes[slot].applied = ops ?? []
            nodes[slot].appliedIndex = snapshot.metadata.index
        } else {
            nodes[slot].applied = []
            nodes[slot].appliedIndex = 0
        }
        queue.push(
            .tick(slot, generation: nodes[slot].generation),
            at: now + 1 + UInt64(random.below(Int(nodes[slot].tickInterval))))
        drive(slot)
    }

    func crash(_ slot: Int) {
        stats.crashes += 1
        if let writing = nodes[slot].writing, random.chance(0.5) {
            nodes[slot].durable.persist(writing)  // the write reached the disk; its messages never left
        }
        nodes[slot].machine = nil
        nodes[slot].writing = nil
        nodes[slot].generation += 1
        nodes[slot].inbox = []
        nodes[slot].pendingTicks = 0
        nodes[slot].paused = false
        nodes[slot].pendingProposals = []
        trace.record(now, .fault("crash n\(slot + 1)"))
        queue.push(.restart(slot), at: now + 20 + random.exponential(300))
    }

    func restart(_ slot: Int) {
        trace.record(now, .fault("restart n\(slot + 1)"))
        start(slot)
    }

    // MARK: Liveness

    /// Stops injecting faults: heals the network, restarts and resumes every node, restores the disks.
    func heal() {
        healedAt = now
        trace.record(now, .fault("heal everything"))
        network.healAll()
        network.dropRate = 0
        network.duplicateRate = 0
        for slot in nodes.indices where nodes[slot].started {
            nodes[slot].slowDisk = false
            if !nodes[slot].isUp {
                start(slot)
            } else if nodes[slot].paused {
                nodes[slot].paused = false
                drainInbox(slot)
            }
        }
    }

    /// One line per started node: role, term, commit and applied indexes, membership.
    var nodeSummary: String {
        nodes.filter(\.started).map { node in
            guard let machine = node.machine else { return "n\(node.id) down" }
            let status = machine.status
            return "n\(node.id) \(status.role.rawValue) t\(status.term) commit=\(status.commitIndex) "
                + "applied=\(node.appliedIndex) last=\(status.lastLog) voters=\(status.membership.voters.map(\.rawValue)) "
                + "learners=\(status.membership.learners.map(\.rawValue))"
        }.joined(separator: "; ")
    }

    func checkLiveness() {
        guard let healedAt else { return }
        // The leader of the highest term (a removed leader without CheckQuorum may go on believing it leads).
        var found: Int?
        for slot in nodes.indices {
            guard let machine = nodes[slot].machine, machine.currentRole == .leader, machine.membership.isVoter(machine.id)
            else { continue }
            if found == nil || machine.currentTerm > nodes[found!].machine!.currentTerm { found = slot }
        }
        guard let leaderSlot = found else { return }
        if leaderAfterHealAt == nil {
            leaderAfterHealAt = now
            let timeout = Double(swarm.raft.electionTicks) * 10
            stats.electionTimeoutsToLeader = Double(now - healedAt) / timeout
        }
        guard let probeIndex else { return }
        let membership = nodes[leaderSlot].machine!.membership
        for member in membership.ids {
            let slot = Int(member.rawValue) - 1
            if nodes[slot].appliedIndex < probeIndex { return }
        }
        converged = true
    }
}
