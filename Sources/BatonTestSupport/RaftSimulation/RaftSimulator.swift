import BatonRaft

/// One run. A class so that the many small steps can mutate shared state without copying it.
final class RaftSimulator {
    let options: RaftSimulationOptions
    var random: RaftRandom
    let swarm: RaftSimulationSwarm
    var network: RaftSimulatedNetwork
    /// Node slots; the node with id k is at index k - 1.
    var nodes: [RaftSimulatedNode] = []
    let capacity: Int
    var queue = RaftSimulationEventQueue<RaftSimulationEvent>()
    var now: UInt64 = 0
    var checker = RaftInvariantChecker()
    var trace: RaftSimulationTrace
    var stats = RaftSimulationStats()
    var history = RaftSimulationHistory()
    var nextOp: UInt64 = 1

    /// Set when the faults stop.
    var healedAt: UInt64?
    var leaderAfterHealAt: UInt64?
    var probeIndex: UInt64?
    var converged = false

    init(_ options: RaftSimulationOptions) {
        self.options = options
        var random = RaftRandom(seed: options.seed)
        var swarmRandom = RaftRandom(seed: random.next())
        var swarm = RaftSimulationSwarm(&swarmRandom)
        swarm.raft.mutation = options.mutation?.stateMachineMutation
        self.swarm = swarm
        self.capacity = max(options.nodes, 1) + 6
        self.network = RaftSimulatedNetwork(
            capacity: capacity, dropRate: swarm.dropRate, duplicateRate: swarm.duplicateRate,
            minimumDelay: swarm.minimumDelay, meanExtraDelay: swarm.meanExtraDelay)
        self.trace = RaftSimulationTrace(tailLength: options.traceTailLength, verbose: options.verbose)
        var nodeRandom = RaftRandom(seed: random.next())
        let founders = RaftMembership(
            (1...max(options.nodes, 1)).map { RaftMember(id: RaftNodeID(UInt64($0)), address: "sim\($0)") })
        for slot in 0..<capacity {
            let id = RaftNodeID(UInt64(slot + 1))
            var raft = swarm.raft
            raft.randomSeed = nodeRandom.next()
            let founder = slot < options.nodes
            nodes.append(
                RaftSimulatedNode(
                    id: id, options: raft, machine: nil, durable: founder ? .bootstrap(founders) : .empty,
                    tickInterval: 9 + UInt64(nodeRandom.below(3))))
        }
        self.random = random
    }

    func run() -> RaftSimulationResult {
        let raft = swarm.raft
        trace.record(
            0,
            .note(
                "swarm: election=\(raft.electionTicks) heartbeat=\(raft.heartbeatTicks) preVote=\(raft.preVote) "
                    + "checkQuorum=\(raft.checkQuorum) entries/msg=\(raft.maxEntriesPerMessage) "
                    + "bytes/msg=\(raft.maxBytesPerMessage) inflight=\(raft.maxInflightMessages) "
                    + "snapshotEvery=\(raft.snapshotThreshold) trailing=\(raft.trailingEntries) "
                    + "chunk=\(raft.snapshotChunkSize) drop=\(swarm.dropRate) dup=\(swarm.duplicateRate)"))
        for slot in 0..<options.nodes { start(slot) }
        queue.push(.nemesis, at: random.exponential(swarm.nemesisInterval))
        queue.push(.client, at: random.exponential(swarm.clientInterval))
        let electionTimeout = UInt64(swarm.raft.electionTicks) * 11
        let eventLimit = options.steps + 400_000
        while let (time, event) = queue.pop() {
            now = time
            stats.events += 1
            handle(event)
            if checker.violation != nil { break }
            if healedAt == nil && stats.events >= options.steps { heal() }
            if let healedAt {
                checkLiveness()
                if converged { break }
                if now > healedAt + 60 * electionTimeout {
                    if leaderAfterHealAt == nil {
                        checker.fail("liveness: no leader within 60 election timeouts after the faults healed (\(nodeSummary))")
                    } else {
                        checker.fail(
                            "liveness: the cluster did not commit and converge within 60 election timeouts "
                                + "(probe index \(probeIndex.map(String.init) ?? "none"); \(nodeSummary))")
                    }
                    break
                }
            }
            if stats.events > eventLimit {
                checker.fail("liveness: no convergence within \(eventLimit) events")
                break
            }
        }
        if checker.violation == nil { checkHistory() }
        if let violation = checker.violation { trace.record(now, .note("VIOLATION \(violation)")) }
        stats.committedIndex = UInt64(checker.committed.count)
        return RaftSimulationResult(
            seed: options.seed, digest: trace.digest, violation: checker.violation, traceTail: trace.lines,
            trace: trace.all, stats: stats)
    }

    // MARK: Events

    func handle(_ event: RaftSimulationEvent) {
        switch event {
        case .tick(let slot, let generation):
            guard nodes[slot].generation == generation, nodes[slot].isUp else { return }
            queue.push(.tick(slot, generation: generation), at: now + nodes[slot].tickInterval)
            if nodes[slot].paused { return }  // a stopped process misses its timers
            if nodes[slot].writing != nil {
                nodes[slot].pendingTicks = min(nodes[slot].pendingTicks + 1, 2)
                return
            }
            trace.record(now, .tick(nodes[slot].id))
            nodes[slot].machine!.tick()
            drive(slot)
        case .deliver(let message):
            let slot = Int(message.to.rawValue) - 1
            if network.isCut(message.from, message.to) {
                return dropped(message, "partition")
            }
            guard nodes[slot].isUp else { return dropped(message, "down") }
            if nodes[slot].paused || nodes[slot].writing != nil {
                nodes[slot].inbox.append(.message(message))
                return
            }
            deliver(message, slot)
        case .diskDone(let slot, let generation):
            guard nodes[slot].generation == generation, let ready = nodes[slot].writing else { return }
            nodes[slot].writing = nil
            complete(slot, ready)
            drive(slot)  // completing may have produced more work (a snapshot taken, say)
            drainInbox(slot)
        case .nemesis:
            guard healedAt == nil else { return }
            injectFault()
            queue.push(.nemesis, at: now + 1 + random.exponential(swarm.nemesisInterval))
        case .client:
            proposeFromClient()
            queue.push(.client, at: now + 1 + random.exponential(swarm.clientInterval))
        case .restart(let slot):
            if !nodes[slot].isUp { restart(slot) }
        case .resume(let slot):
            guard nodes[slot].paused else { return }
            nodes[slot].paused = false
            trace.record(now, .fault("resume n\(slot + 1)"))
            drainInbox(slot)
        case .fastDisk(let slot):
            nodes[slot].slowDisk = false
        }
    }

    func dropped(_ message: RaftMessage, _ why: String) {
        stats.messagesDropped += 1
        trace.record(now, .drop(message, why))
    }

    func deliver(_ message: RaftMessage, _ slot: Int) {
        stats.messagesDelivered += 1
        trace.record(now, .deliver(message))
        nodes[slot].machine!.step(message)
        drive(slot)
    }

    /// Handles inputs that waited while the node was writing or paused.
    func drainInbox(_ slot: Int) {
        while nodes[slot].isUp && nodes[slot].writing == nil && !nodes[slot].paused {
            if !nodes[slot].inbox.isEmpty {
                let input = nodes[slot].inbox.removeFirst()
                switch input {
                case .message(let message):
                    if network.isCut(message.from, message.to) {
                        dropped(message, "partition")
                        continue
                    }
                    deliver(message, slot)
                }
            } else if nodes[slot].pendingTicks > 0 {
                nodes[slot].pendingTicks -= 1
                trace.record(now, .tick(nodes[slot].id))
                nodes[slot].machine!.tick()
                drive(slot)
            } else {
                break
            }
        }
    }

    /// Takes the node's ready batches: starts a disk write, or completes batches that need none.
    func drive(_ slot: Int) {
        let id = nodes[slot].id
        while nodes[slot].writing == nil, var ready = nodes[slot].machine?.takeReady() {
            if let soft = ready.softState {
                trace.record(now, .role(id, soft))
                if soft.role == .leader { stats.leadersElected += 1 }
            }
            checker.observeAppended(id, ready.entries, in: nodes[slot].machine!)
            if ready.needsPersisting {
                if options.mutation == .sendBeforePersist {
                    for message in ready.messages { send(message) }
                    ready.messages = []
                }
                nodes[slot].writing = ready
                let latency = nodes[slot].slowDisk ? swarm.slowDiskLatency : swarm.normalDiskLatency
                queue.push(.diskDone(slot, generation: nodes[slot].generation), at: now + latency)
            } else {
                complete(slot, ready)
            }
        }
        if let machine = nodes[slot].machine { checker.check(id, machine, durableTerm: nodes[slot].durable.hardState.term) }
    }

    /// The batch is durable: send its messages, apply what it commits.
    func complete(_ slot: Int, _ ready: RaftReady) {
        let id = nodes[slot].id
        if ready.needsPersisting {
            nodes[slot].durable.persist(ready)
            trace.record(now, .persisted(id, entries: ready.entries.count, hardState: ready.hardState))
            if let hard = ready.hardState, let machine = nodes[slot].machine, machine.currentRole == .leader,
                machine.currentTerm == hard.term
            {
                if checker.observeLeaderCommit(machine, through: hard.commit) {
                    checkCommitCannotBeLost(machine, index: hard.commit)
                }
            }
        }
        for message in ready.messages { send(message) }
        if let snapshot = ready.snapshotToApply {
            let ops = RaftSimulationApp.restore(snapshot.data)
            checker.observeRestored(id, snapshot, ops: ops)
            nodes[slot].applied = ops ?? []
            nodes[slot].appliedIndex = snapshot.metadata.index
            stats.snapshotsInstalled += 1
            trace.record(now, .note("n\(id) installed snapshot \(snapshot.metadata.position)"))
        }
        for entry in ready.committedEntries {
            checker.observeApplied(id, entry, previousApplied: nodes[slot].appliedIndex)
            nodes[slot].appliedIndex = entry.index
            if entry.kind == .command, let op = RaftSimulationApp.op(entry.data) {
                nodes[slot].applied.append(op)
            }
            acknowledgeProposals(slot, through: entry)
        }
        if let index = ready.snapshotRequest {
            if index != nodes[slot].appliedIndex {
                checker.fail("n\(id) was asked for a snapshot at \(index) with \(nodes[slot].appliedIndex) applied")
                return
            }
            do {
                try nodes[slot].machine!.snapshotTaken(
                    index: index, data: RaftSimulationApp.snapshot(nodes[slot].applied))
                stats.snapshotsTaken += 1
            } catch {
                checker.fail("n\(id) refused its own snapshot at \(index): \(error)")
            }
        }
    }

    func acknowledgeProposals(_ slot: Int, through entry: RaftEntry) {
        guard !nodes[slot].pendingProposals.isEmpty else { return }
        var remaining: [(position: RaftLogPosition, op: UInt64)] = []
        for pending in nodes[slot].pendingProposals {
            if pending.position.index > entry.index {
                remaining.append(pending)
            } else if pending.position == entry.position {
                history.acknowledge(pending.op, at: now)
                stats.acknowledged += 1
                trace.record(now, .acknowledge(nodes[slot].id, op: pending.op))
                if healedAt != nil && probeIndex == nil { probeIndex = entry.index }
            }  // else: another entry took its index, the proposal was lost
        }
        nodes[slot].pendingProposals = remaining
    }

    func send(_ message: RaftMessage) {
        checker.observeSent(message)
        if network.isCut(message.from, message.to) { return dropped(message, "partition") }
        if random.chance(network.dropRate) { return dropped(message, "loss") }
        queue.push(.deliver(message), at: now + network.minimumDelay + random.exponential(network.meanExtraDelay))
        if random.chance(network.duplicateRate) {
            stats.messagesDuplicated += 1
            queue.push(.deliver(message), at: now + network.minimumDelay + random.exponential(network.meanExtraDelay * 3))
        }
    }
}
