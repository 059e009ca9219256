extension RaftStateMachine {
    /// Records a snapshot the application took of its state after applying every entry through `index`, and
    /// compacts the log behind it (keeping ``RaftOptions/trailingEntries``).
    ///
    /// The next ``RaftReady`` carries the snapshot and the compaction to persist. Usually the answer to
    /// ``RaftReady/snapshotRequest``, but the application may take one whenever it likes.
    public mutating func snapshotTaken(index: UInt64, data: [UInt8]) throws(RaftError) {
        let current = snapshot?.metadata.index ?? 0
        guard index > current, index <= log.applied, let snapshotTerm = log.term(at: index) else {
            throw RaftError(
                .invalidSnapshot,
                "snapshot index \(index) must be after the current snapshot (\(current)) and applied (\(log.applied))")
        }
        let taken = RaftSnapshot(
            metadata: RaftSnapshotMetadata(index: index, term: snapshotTerm, membership: membership(at: index)),
            data: data)
        snapshot = taken
        snapshotChecksum = taken.checksum
        pendingSnapshot = taken
        snapshotRequested = false
        if let keep = membershipHistory.lastIndex(where: { $0.index <= index }), keep > 0 {
            membershipHistory.removeFirst(keep)
        }
        var compactThrough = index > options.trailingEntries ? index - options.trailingEntries : 0
        // Keep what followers receiving an older snapshot need next, or they would need another one at once.
        for peer in progress {
            if case .snapshot(let sending, _) = peer.state { compactThrough = min(compactThrough, sending) }
        }
        if compactThrough > log.base.index, let baseTerm = log.term(at: compactThrough) {
            let base = RaftLogPosition(index: compactThrough, term: baseTerm)
            log.compact(through: base)
            if case .reset? = pendingCompaction {
                pendingCompaction = .reset(to: base)
            } else {
                pendingCompaction = .compact(through: base)
            }
        }
    }

    /// The configuration in force at `index`.
    func membership(at index: UInt64) -> RaftMembership {
        membershipHistory.last(where: { $0.index <= index })?.membership ?? membershipHistory[0].membership
    }

    // MARK: Leader

    /// Switches the follower at `progress[i]` to receiving the latest snapshot. Returns false when there is none.
    @discardableResult
    mutating func startSnapshot(_ i: Int) -> Bool {
        guard let snapshot else { return false }
        progress[i].state = .snapshot(index: snapshot.metadata.index, offset: 0)
        progress[i].sendingSnapshot = snapshot
        progress[i].sendingChecksum = snapshotChecksum
        progress[i].probeSent = false
        progress[i].inflight = []
        sendSnapshotChunk(i)
        return true
    }

    mutating func sendSnapshotChunk(_ i: Int) {
        guard case .snapshot(_, let offset) = progress[i].state, let snapshot = progress[i].sendingSnapshot else {
            return
        }
        let total = snapshot.data.count
        let start = Int(min(offset, UInt64(total)))
        let end = min(start + options.snapshotChunkSize, total)
        let chunk = Array(snapshot.data[start..<end])
        send(
            to: progress[i].id,
            .installSnapshot(
                .init(
                    metadata: snapshot.metadata, totalSize: UInt64(total), checksum: progress[i].sendingChecksum,
                    offset: UInt64(start), chunk: chunk, chunkChecksum: CRC32C.checksum(chunk))))
    }

    mutating func handleSnapshotResponse(_ message: RaftMessage, _ response: RaftMessage.InstallSnapshotResponse) {
        guard let i = progress.firstIndex(where: { $0.id == message.from }) else { return }
        progress[i].recentActive = true
        if response.done {
            if response.index > progress[i].match { progress[i].match = response.index }
            if case .snapshot = progress[i].state {
                progress[i].becomeProbe()
            } else {
                progress[i].next = max(progress[i].next, progress[i].match + 1)
            }
            if !maybeCommit() { sendAppend(i, allowEmpty: false) }
            if role == .leader, transferTarget == message.from, progress[i].match == log.lastIndex {
                send(to: message.from, .timeoutNow)
            }
            return
        }
        guard case .snapshot(let index, let offset) = progress[i].state, index == response.snapshotIndex,
            let sending = progress[i].sendingSnapshot
        else { return }
        // The follower's answer is authoritative: continue from where it says it is. Send the next chunk at once only
        // when the answer acknowledges the chunk just sent; any other answer (a duplicate, a stale one, a refusal, a
        // restart at 0) waits for the next heartbeat's resend, so duplicates never start parallel streams and a
        // stale answer is corrected by the next one.
        let expected = min(offset + UInt64(options.snapshotChunkSize), UInt64(sending.data.count))
        progress[i].state = .snapshot(index: index, offset: response.nextOffset)
        if response.nextOffset == expected && expected > offset {
            progress[i].snapshotAdvanced = true
            sendSnapshotChunk(i)
        }
    }

    // MARK: Follower

    mutating func handleSnapshotChunk(_ message: RaftMessage, _ chunk: RaftMessage.InstallSnapshot) {
        let index = chunk.metadata.index
        func reply(nextOffset: UInt64, done: Bool = false) {
            send(
                to: message.from,
                .installSnapshotResponse(
                    .init(snapshotIndex: index, nextOffset: nextOffset, done: done, index: log.committed)))
        }
        guard index > log.committed else {
            reply(nextOffset: chunk.totalSize, done: true)  // we already hold everything it covers
            return
        }
        let assembled = incomingSnapshot.flatMap { $0.isPart(of: chunk) ? $0 : nil }
        guard CRC32C.checksum(chunk.chunk) == chunk.chunkChecksum else {
            reply(nextOffset: assembled?.received ?? 0)  // damaged: ask for it again
            return
        }
        var assembly: RaftSnapshotAssembly
        if let assembled {
            assembly = assembled
        } else {
            guard chunk.offset == 0 else {
                reply(nextOffset: 0)
                return
            }
            assembly = RaftSnapshotAssembly(chunk)
        }
        guard chunk.offset == assembly.received else {
            incomingSnapshot = assembly
            reply(nextOffset: assembly.received)
            return
        }
        guard assembly.received + UInt64(chunk.chunk.count) <= assembly.totalSize else {
            incomingSnapshot = nil
            reply(nextOffset: 0)
            return
        }
        incomingSnapshot = nil  // avoid a copy while appending
        assembly.data.append(contentsOf: chunk.chunk)
        guard assembly.received == assembly.totalSize else {
            incomingSnapshot = assembly
            reply(nextOffset: assembly.received)
            return
        }
        guard CRC32C.checksum(assembly.data) == assembly.checksum else {
            reply(nextOffset: 0)  // the whole does not match: start again
            return
        }
        installSnapshot(RaftSnapshot(metadata: assembly.metadata, data: assembly.data))
        reply(nextOffset: assembly.totalSize, done: true)
    }

    /// Makes a complete, verified snapshot from the leader this node's state.
    mutating func installSnapshot(_ received: RaftSnapshot) {
        let position = received.metadata.position
        if log.matches(position) {
            // The log already holds the snapshot's last entry, so it holds everything before it too.
            if position.index > log.committed { log.committed = position.index }
            return
        }
        log.reset(to: position)
        snapshot = received
        snapshotChecksum = received.checksum
        pendingSnapshot = received
        pendingSnapshotToApply = received
        pendingCompaction = .reset(to: position)
        membershipHistory = [(position.index, received.metadata.membership)]
        snapshotRequested = false
    }
}
