import Logging
import Synchronization

/// The state a running ``RaftNode`` keeps in its loop task: the state machine and the requests waiting on it.
///
/// Only the loop task touches it, so it needs no lock; what other tasks read is published into ``RaftNode/shared``
/// after each batch of events.
final class RaftNodeLoop<C: Clock> where C.Duration == Duration {
    /// A proposal or membership change waiting for its entry to be applied.
    struct PendingEntry {
        let term: UInt64
        let reply: RaftNodeReply
        let deadline: C.Instant
    }

    struct PendingTransfer {
        let target: RaftNodeID
        let reply: RaftNodeReply
        let deadline: C.Instant
    }

    let node: RaftNode<C>
    var machine: RaftStateMachine
    /// Waiting entries by log index.
    var pending: [UInt64: PendingEntry] = [:]
    var transfers: [PendingTransfer] = []
    var lastContact: [RaftNodeID: C.Instant] = [:]
    /// The lease: per voter, when the newest heartbeat it acknowledged was *sent* (its election timer started no
    /// earlier than that). `heartbeatsSent` maps the context stamped on each recent heartbeat to its send time.
    var leaseFrom: [RaftNodeID: C.Instant] = [:]
    var heartbeatsSent: [UInt64: C.Instant] = [:]
    var nextHeartbeatContext: UInt64 = 1
    /// Answers decided in this round, given after it is published (so that a caller who gets its answer sees a
    /// status at least as new).
    var answers: [(RaftNodeReply, Result<[UInt8], RaftNodeError>)] = []
    /// The configuration last given to the transport.
    var announcedMembership: RaftMembership?
    var logger: Logger { node.logger }

    /// Loads the storage, bootstraps a new cluster if configured and restores the application.
    init(node: RaftNode<C>) async throws(RaftNodeError) {
        self.node = node
        let configuration = node.configuration
        var durable: RaftDurableState
        do {
            durable = try await node.storage.load()
        } catch {
            throw RaftNodeError(.storageFailed, "cannot read the Raft state", underlying: error)
        }
        if durable == .empty, let founders = configuration.bootstrap {
            guard founders.isVoter(configuration.id) else {
                throw RaftNodeError(
                    .invalidConfiguration, "the bootstrap configuration does not list node \(configuration.id) as a voter")
            }
            durable = .bootstrap(founders)
            var ready = RaftReady()
            ready.entries = durable.entries
            ready.hardState = durable.hardState
            do {
                try await node.storage.persist(ready)
            } catch {
                throw RaftNodeError(.storageFailed, "cannot persist the bootstrap configuration", underlying: error)
            }
            node.logger.info(
                "raft cluster bootstrapped", metadata: ["baton.raft.members": "\(founders.ids.map(\.rawValue))"])
        }

        let appliedIndex = try await Self.restoreApplication(node: node, durable: durable)
        var options = configuration.options
        if options.randomSeed == 0 { options.randomSeed = UInt64.random(in: 1...UInt64.max) }
        do {
            machine = try RaftStateMachine(
                id: configuration.id, options: options, durable: durable, appliedIndex: appliedIndex)
        } catch {
            throw RaftNodeError(.inconsistentState, "the stored Raft state is inconsistent", raftError: error)
        }
        announcePeers()
        publish(now: node.clock.now)
        let status = machine.status
        node.logger.info(
            "raft node started",
            metadata: [
                "baton.raft.term": "\(status.term)", "baton.raft.commit": "\(status.commitIndex)",
                "baton.raft.applied": "\(status.appliedIndex)", "baton.raft.last": "\(status.lastLog)",
                "baton.raft.members": "\(status.membership.ids.map(\.rawValue))",
            ])
    }

    /// Brings the application to a state the log can continue from; returns the index it reflects.
    private static func restoreApplication(node: RaftNode<C>, durable: RaftDurableState) async throws(RaftNodeError)
        -> UInt64
    {
        let reported: UInt64?
        do {
            reported = try await node.application.appliedIndex()
        } catch {
            throw RaftNodeError(.applicationFailed, "cannot read the application's applied index", underlying: error)
        }
        let snapshotIndex = durable.snapshot?.metadata.index ?? 0
        let committed = max(durable.hardState.commit, snapshotIndex)
        if let reported, reported >= snapshotIndex {
            guard reported <= committed else {
                throw RaftNodeError(
                    .inconsistentState,
                    "the application reflects index \(reported) but the Raft log is committed only through "
                        + "\(committed): the Raft data directory does not belong with the application's data")
            }
            return reported
        }
        if let snapshot = durable.snapshot {
            do {
                try await node.application.restore(snapshot)
            } catch {
                throw RaftNodeError(.applicationFailed, "cannot restore the snapshot at \(snapshotIndex)", underlying: error)
            }
        }
        return snapshotIndex
    }

    // MARK: - Events

    /// Feeds a batch of events to the state machine, then performs every Ready it produces.
    func handle(_ events: [RaftNodeEvent]) async throws(RaftNodeError) {
        let now = node.clock.now
        for event in events {
            switch event {
            case .tick:
                machine.tick()
            case .message(let message):
                lastContact[message.from] = now
                if case .heartbeatResponse(let response) = message.payload, let sent = heartbeatsSent[response.context],
                    leaseFrom[message.from].map({ $0 < sent }) ?? true
                {
                    leaseFrom[message.from] = sent
                }
                machine.step(message)
            case .request(let request):
                accept(request, now: now)
            }
        }
        while let ready = machine.takeReady() {
            try await perform(ready)
        }
        let after = node.clock.now
        expireRequests(now: after)
        checkTransfers(now: after)
        publish(now: after)
        let decided = answers
        answers = []
        for (reply, result) in decided { reply.resolve(result) }
    }

    func answer(_ reply: RaftNodeReply, _ result: Result<[UInt8], RaftNodeError>) {
        answers.append((reply, result))
    }

    func accept(_ request: RaftNodeRequest, now: C.Instant) {
        guard !request.reply.isResolved else { return }  // cancelled meanwhile
        let deadline = now.advanced(by: request.timeout)
        do throws(RaftError) {
            switch request.kind {
            case .propose(let command):
                let position = try machine.propose(command)
                wait(for: position, request.reply, deadline: deadline)
            case .membership(let change):
                let position = try machine.proposeMembershipChange(change)
                wait(for: position, request.reply, deadline: deadline)
                logger.info("raft membership change proposed", metadata: ["baton.raft.change": "\(change)"])
            case .transfer(let target):
                try machine.transferLeadership(to: target)
                transfers.append(PendingTransfer(target: target, reply: request.reply, deadline: deadline))
                logger.info("raft leadership transfer started", metadata: ["baton.raft.target": "\(target)"])
            }
        } catch {
            request.reply.resolve(.failure(nodeError(error)))
        }
    }

    func wait(for position: RaftLogPosition, _ reply: RaftNodeReply, deadline: C.Instant) {
        // An older entry at this index was replaced (this node lost leadership and won it back meanwhile).
        if let replaced = pending[position.index] {
            answer(replaced.reply, .failure(lostLeadership(at: position.index)))
        }
        pending[position.index] = PendingEntry(term: position.term, reply: reply, deadline: deadline)
    }

    func nodeError(_ error: RaftError) -> RaftNodeError {
        let leader = RaftNode<C>.leader(in: machine.status)
        if error.code == .notLeader {
            return RaftNodeError(.notLeader, "node \(node.id) is not the leader", leader: leader, raftError: error)
        }
        return RaftNodeError(.refused, error.message, leader: leader, raftError: error)
    }

    // MARK: - Ready

    /// Persist → send → apply → snapshot, in that order (see ``RaftReady``).
    func perform(_ ready: RaftReady) async throws(RaftNodeError) {
        if ready.needsPersisting {
            do {
                try await node.storage.persist(ready)
            } catch {
                throw RaftNodeError(.storageFailed, "cannot persist the Raft state", underlying: error)
            }
        }
        if ready.messages.contains(where: { if case .heartbeat = $0.payload { true } else { false } }) {
            stampHeartbeats()
        }
        for var message in ready.messages {
            if case .heartbeat(var heartbeat) = message.payload {
                heartbeat.context = nextHeartbeatContext - 1
                message.payload = .heartbeat(heartbeat)
            }
            node.transport.send(message)
        }
        if let snapshot = ready.snapshotToApply {
            do {
                try await node.application.restore(snapshot)
            } catch {
                throw RaftNodeError(
                    .applicationFailed, "cannot restore the snapshot at \(snapshot.metadata.index)", underlying: error)
            }
            logger.info(
                "raft snapshot installed from the leader",
                metadata: [
                    "baton.raft.snapshot.index": "\(snapshot.metadata.index)",
                    "baton.raft.snapshot.bytes": "\(snapshot.data.count)",
                ])
        }
        for entry in ready.committedEntries {
            var result: [UInt8] = []
            if entry.kind == .command {
                do {
                    result = try await node.application.apply(entry)
                } catch {
                    throw RaftNodeError(
                        .applicationFailed, "cannot apply the entry at \(entry.index)", underlying: error)
                }
            }
            if let waiting = pending.removeValue(forKey: entry.index) {
                if waiting.term == entry.term {
                    answer(waiting.reply, .success(result))
                } else {
                    answer(waiting.reply, .failure(lostLeadership(at: entry.index)))
                }
            }
        }
        if ready.snapshotToApply != nil || ready.softState.map({ $0.role != .leader }) == true {
            // Entries this node appended as leader that are now replaced or in another leader's hands.
            failPending { _ in true }
        }
        if let index = ready.snapshotRequest {
            try await takeSnapshot(at: index)
        }
        if machine.membership != announcedMembership { announcePeers() }
    }

    func takeSnapshot(at index: UInt64) async throws(RaftNodeError) {
        let data: [UInt8]
        do {
            data = try await node.application.takeSnapshot()
        } catch {
            throw RaftNodeError(.applicationFailed, "cannot take a snapshot at \(index)", underlying: error)
        }
        do {
            try machine.snapshotTaken(index: index, data: data)
            logger.debug(
                "raft snapshot taken", metadata: ["baton.raft.snapshot.index": "\(index)", "baton.raft.snapshot.bytes": "\(data.count)"])
        } catch {
            logger.warning(
                "raft snapshot refused by the state machine", metadata: ["baton.raft.error": "\(error.description)"])
        }
    }

    func lostLeadership(at index: UInt64) -> RaftNodeError {
        RaftNodeError(
            .leadershipLost,
            "node \(node.id) lost leadership before the entry at \(index) was applied; it may still commit",
            leader: RaftNode<C>.leader(in: machine.status))
    }

    func failPending(where shouldFail: (PendingEntry) -> Bool) {
        for (index, waiting) in pending.sorted(by: { $0.key < $1.key }) where shouldFail(waiting) {
            pending.removeValue(forKey: index)
            answer(waiting.reply, .failure(lostLeadership(at: index)))
        }
    }

    func failAll(_ error: RaftNodeError) {
        for (reply, result) in answers { reply.resolve(result) }
        answers = []
        for waiting in pending.values { waiting.reply.resolve(.failure(error)) }
        for transfer in transfers { transfer.reply.resolve(.failure(error)) }
        pending = [:]
        transfers = []
    }

    func announcePeers() {
        let membership = machine.membership
        announcedMembership = membership
        var addresses: [RaftNodeID: String] = [:]
        for member in membership.members where member.id != node.id && !member.address.isEmpty {
            addresses[member.id] = member.address
        }
        node.transport.updatePeers(addresses)
    }

    // MARK: - Deadlines and transfers

    func expireRequests(now: C.Instant) {
        for (index, waiting) in pending.sorted(by: { $0.key < $1.key }) {
            if waiting.reply.isResolved {
                pending.removeValue(forKey: index)  // cancelled by the caller
            } else if now >= waiting.deadline {
                pending.removeValue(forKey: index)
                answer(
                    waiting.reply,
                    .failure(
                        RaftNodeError(
                            .timeout, "the entry at \(index) was not applied in time; it may still commit",
                            leader: RaftNode<C>.leader(in: machine.status))))
            }
        }
    }

    func checkTransfers(now: C.Instant) {
        guard !transfers.isEmpty else { return }
        let status = machine.status
        transfers.removeAll { transfer in
            if transfer.reply.isResolved { return true }
            if status.leader == transfer.target {
                answer(transfer.reply, .success([]))
                logger.info("raft leadership transferred", metadata: ["baton.raft.target": "\(transfer.target)"])
                return true
            }
            let failure: String? =
                if status.role == .leader && status.transferTarget != transfer.target {
                    "node \(transfer.target) did not take over within an election timeout; the transfer was abandoned"
                } else if let leader = status.leader, leader != node.id {
                    "node \(leader) took over instead of node \(transfer.target)"
                } else if now >= transfer.deadline {
                    "node \(transfer.target) did not take over in time"
                } else {
                    nil
                }
            guard let failure else { return false }
            answer(transfer.reply, .failure(RaftNodeError(.timeout, failure, leader: RaftNode<C>.leader(in: status))))
            return true
        }
    }

    /// Gives this round's heartbeats a new context and remembers when they leave. Contexts older than a few election
    /// timeouts are forgotten: an answer to one of them could not extend the lease anyway.
    func stampHeartbeats() {
        let now = node.clock.now
        heartbeatsSent[nextHeartbeatContext] = now
        nextHeartbeatContext += 1
        let horizon = node.configuration.electionTimeout * 3
        if heartbeatsSent.count > 64 {
            heartbeatsSent = heartbeatsSent.filter { $0.value.duration(to: now) < horizon }
        }
    }

    // MARK: - Publishing

    /// Publishes the state for the synchronous accessors and tells subscribers about leadership changes.
    func publish(now: C.Instant) {
        let status = machine.status
        let electionTimeout = node.configuration.electionTimeout
        let (change, previous, subscribers) = node.shared.withLock {
            shared -> (RaftLeadershipChange?, RaftLeadershipChange, [AsyncStream<RaftLeadershipChange>.Continuation]) in
            shared.running = true
            shared.status = status
            shared.lastContact = lastContact
            shared.leaseFrom = leaseFrom
            shared.lastRound = now
            let current = RaftLeadershipChange(
                term: status.term, leader: RaftNode<C>.leader(in: status),
                isLeader: shared.leads(now: now, electionTimeout: electionTimeout))
            let previous = shared.leadership
            guard current != previous else { return (nil, previous, []) }
            shared.leadership = current
            return (current, previous, Array(shared.subscribers.values))
        }
        guard let change else { return }
        for continuation in subscribers { continuation.yield(change) }
        // Operators care about who leads; a term that passes without a leader is detail.
        let level: Logger.Level =
            change.leader?.id != previous.leader?.id || change.isLeader != previous.isLeader ? .info : .debug
        logger.log(
            level: level, "raft leadership changed",
            metadata: [
                "baton.raft.term": "\(change.term)", "baton.raft.leader": "\(change.leader.map { "\($0.id)" } ?? "none")",
                "baton.raft.is_leader": "\(change.isLeader)",
            ])
    }
}
