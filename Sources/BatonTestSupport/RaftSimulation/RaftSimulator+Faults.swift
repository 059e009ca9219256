import BatonRaft

extension RaftSimulator {
    var upSlots: [Int] { nodes.indices.filter { nodes[$0].isUp } }
    var startedIDs: [RaftNodeID] { nodes.filter(\.started).map(\.id) }

    /// The node that believes it leads with the highest term, if any.
    var leaderSlot: Int? {
        var best: Int?
        for slot in nodes.indices {
            guard let machine = nodes[slot].machine, machine.currentRole == .leader, !nodes[slot].paused else { continue }
            if best == nil || machine.currentTerm > nodes[best!].machine!.currentTerm { best = slot }
        }
        return best
    }

    /// One random fault or operational event.
    func injectFault() {
        let roll = random.below(100)
        switch roll {
        case 0..<18: partition()
        case 18..<30:
            if network.isPartitioned {
                network.healAll()
                trace.record(now, .fault("heal partitions"))
            }
        case 30..<42:
            let up = upSlots
            if !up.isEmpty {
                // Often the leader: that is where crashes hurt.
                let slot = random.chance(0.4) ? (leaderSlot ?? random.pick(up)) : random.pick(up)
                crash(slot)
            }
        case 42..<48:
            let up = upSlots.filter { !nodes[$0].paused }
            if !up.isEmpty {
                let slot = random.chance(0.4) ? (leaderSlot ?? random.pick(up)) : random.pick(up)
                nodes[slot].paused = true
                stats.pauses += 1
                trace.record(now, .fault("pause n\(slot + 1)"))
                queue.push(.resume(slot), at: now + 20 + random.exponential(250))
            }
        case 48..<54:
            let up = upSlots
            if !up.isEmpty {
                let slot = random.chance(0.4) ? (leaderSlot ?? random.pick(up)) : random.pick(up)
                nodes[slot].slowDisk = true
                stats.slowDisks += 1
                trace.record(now, .fault("slow disk n\(slot + 1)"))
                queue.push(.fastDisk(slot), at: now + 50 + random.exponential(400))
            }
        case 54..<62: transferLeadership()
        case 62..<76: changeMembership()
        default: break
        }
    }

    func partition() {
        let ids = startedIDs
        guard ids.count >= 2 else { return }
        network.healAll()
        stats.partitions += 1
        let shuffled = shuffle(ids)
        switch random.below(5) {
        case 0:  // isolate one node, often the leader
            let victim = random.chance(0.5) ? (leaderSlot.map { nodes[$0].id } ?? shuffled[0]) : shuffled[0]
            network.split([victim], ids.filter { $0 != victim })
            trace.record(now, .fault("isolate n\(victim)"))
        case 1:  // majority / minority, random halves
            let cut = 1 + random.below(ids.count - 1)
            let a = Array(shuffled[..<cut])
            let b = Array(shuffled[cut...])
            network.split(a, b)
            trace.record(now, .fault("split \(a.map(\.rawValue)) | \(b.map(\.rawValue))"))
        case 2:  // asymmetric: one node can send but not receive, or the other way round
            let victim = shuffled[0]
            let inbound = random.chance(0.5)
            for other in ids where other != victim {
                if inbound { network.setCut(other, victim, true) } else { network.setCut(victim, other, true) }
            }
            trace.record(now, .fault("asymmetric n\(victim) \(inbound ? "cannot receive" : "cannot send")"))
        case 3:  // bridge: two groups that cannot talk, one node reaching both
            guard ids.count >= 3 else { return }
            let bridge = shuffled[0]
            let rest = Array(shuffled[1...])
            let cut = 1 + random.below(rest.count - 1)
            network.split(Array(rest[..<cut]), Array(rest[cut...]))
            trace.record(now, .fault("bridge n\(bridge) between \(rest[..<cut].map(\.rawValue)) and \(rest[cut...].map(\.rawValue))"))
        default:  // a few random one-way links
            for _ in 0..<(1 + random.below(ids.count)) {
                let from = random.pick(ids)
                let to = random.pick(ids)
                if from != to { network.setCut(from, to, true) }
            }
            trace.record(now, .fault("random one-way cuts"))
        }
    }

    func shuffle(_ ids: [RaftNodeID]) -> [RaftNodeID] {
        var result = ids
        var i = result.count - 1
        while i > 0 {
            result.swapAt(i, random.below(i + 1))
            i -= 1
        }
        return result
    }

    func transferLeadership() {
        guard let slot = leaderSlot else { return }
        let machine = nodes[slot].machine!
        // Sometimes an invalid target (itself, a learner, a stranger): it must be refused.
        let candidates = machine.membership.ids + [machine.id, RaftNodeID(UInt64(capacity + 1))]
        let target = random.chance(0.8) ? (machine.membership.voters.filter { $0 != machine.id }.randomElement(using: &random) ?? machine.id) : random.pick(candidates)
        do {
            try nodes[slot].machine!.transferLeadership(to: target)
            stats.transfers += 1
            trace.record(now, .fault("transfer leadership n\(machine.id) → n\(target)"))
        } catch {
            let valid = target != machine.id && machine.membership.isVoter(target)
            if valid && error.code == .invalidTransferTarget {
                checker.fail("n\(machine.id) refused a transfer to voter n\(target): \(error)")
            }
        }
        drive(slot)
    }

    func changeMembership() {
        guard let slot = leaderSlot else { return }
        let machine = nodes[slot].machine!
        let membership = machine.membership
        var change: RaftMembershipChange?
        var newNode: Int?
        switch random.below(3) {
        case 0:
            if membership.members.count < 7, let free = nodes.indices.first(where: { !nodes[$0].started }) {
                change = .addLearner(nodes[free].id, address: "sim\(free + 1)")
                newNode = free
            }
        case 1:
            if let learner = membership.learners.first { change = .promote(learner) }
        default:
            if membership.voters.count > 1 || !membership.learners.isEmpty {
                change = .remove(random.pick(membership.ids))
            }
        }
        guard let change else { return }
        do {
            let position = try nodes[slot].machine!.proposeMembershipChange(change)
            stats.membershipChanges += 1
            trace.record(now, .fault("membership \(change) at \(position) by n\(machine.id)"))
            if let newNode { start(newNode) }  // a new, empty node: it catches up from the leader
        } catch {
            trace.record(now, .note("membership \(change) refused: \(error)"))
        }
        drive(slot)
    }

    func proposeFromClient() {
        // Clients talk to whichever node they believe leads: usually the newest leader, sometimes a stale one.
        let leaders = nodes.indices.filter { nodes[$0].machine?.currentRole == .leader && !nodes[$0].paused }
        guard !leaders.isEmpty else { return }
        let slot = random.chance(0.7) ? leaderSlot! : random.pick(leaders)
        let op = nextOp
        do {
            let position = try nodes[slot].machine!.propose(RaftSimulationApp.command(op))
            nextOp += 1
            stats.proposals += 1
            history.invoke(op, at: now)
            nodes[slot].pendingProposals.append((position, op))
            trace.record(now, .propose(nodes[slot].id, op: op, position))
        } catch {
            // Refused (transfer in progress): never invoked.
        }
        drive(slot)
    }

    /// The client history must be linearizable for an append-only log: every acknowledged operation appears once,
    /// no operation appears twice or out of nowhere, and an operation acknowledged before another was invoked
    /// comes first.
    func checkHistory() {
        if let problem = history.check(committedOps: checker.committedOps) { checker.fail(problem) }
    }
}
