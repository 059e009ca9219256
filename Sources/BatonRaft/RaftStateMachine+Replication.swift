extension RaftStateMachine {
    // MARK: Leader

    /// Appends an entry of this leader's term and sends it to the followers.
    @discardableResult
    mutating func appendAndReplicate(kind: RaftEntry.Kind, data: [UInt8]) -> RaftLogPosition {
        let position = RaftLogPosition(index: log.lastIndex + 1, term: term)
        _ = log.append([RaftEntry(index: position.index, term: term, kind: kind, data: data)])
        if kind == .membership, let membership = try? RaftMembership(decoding: data) {
            membershipHistory.append((position.index, membership))
            syncProgressWithMembership(newlyAdded: true)
        }
        if !maybeCommit() {
            broadcastAppend()
        }
        return position
    }

    mutating func broadcastAppend() {
        for i in progress.indices { sendAppend(i, allowEmpty: true) }
    }

    mutating func broadcastHeartbeat() {
        for i in progress.indices {
            let peer = progress[i]
            send(to: peer.id, .heartbeat(.init(commit: min(peer.match, log.committed))))
            if case .snapshot = peer.state {
                // No answer since the last heartbeat: the chunk or its answer was lost (or damaged); resend it.
                if !peer.snapshotAdvanced { sendSnapshotChunk(i) }
                progress[i].snapshotAdvanced = false
            }
        }
    }

    /// Sends the follower at `progress[i]` the entries it needs next, if it is not paused.
    ///
    /// - Returns: whether a message went out.
    @discardableResult
    mutating func sendAppend(_ i: Int, allowEmpty: Bool) -> Bool {
        let peer = progress[i]
        guard !peer.isPaused(maxInflight: options.maxInflightMessages) else { return false }
        let previousIndex = peer.next - 1
        guard let previousTerm = log.term(at: previousIndex),
            let entries = log.entries(
                from: peer.next, through: log.lastIndex, maxCount: options.maxEntriesPerMessage,
                maxBytes: options.maxBytesPerMessage)
        else {
            return startSnapshot(i)  // the follower needs entries that are compacted away
        }
        if entries.isEmpty && !allowEmpty { return false }
        send(
            to: peer.id,
            .appendEntries(
                .init(
                    previous: RaftLogPosition(index: previousIndex, term: previousTerm), entries: entries,
                    commit: log.committed)))
        switch peer.state {
        case .probe:
            progress[i].probeSent = true
        case .replicate:
            if let last = entries.last?.index {
                progress[i].next = last + 1
                progress[i].inflight.append(last)
            }
        case .snapshot:
            break
        }
        return true
    }

    mutating func handleAppendResponse(_ message: RaftMessage, _ response: RaftMessage.AppendResponse) {
        guard let i = progress.firstIndex(where: { $0.id == message.from }) else { return }
        progress[i].recentActive = true
        if !response.success {
            var probeFrom = response.hint.index
            if response.hint.term > 0 {
                probeFrom = log.conflictHint(index: response.hint.index, term: response.hint.term).index
            }
            if decreaseNext(i, rejected: response.index, matchHint: probeFrom) {
                sendAppend(i, allowEmpty: true)
            }
            return
        }
        let peer = progress[i]
        guard response.index > peer.match else {
            if peer.state == .probe && response.index + 1 >= peer.next { progress[i].probeSent = false }
            return
        }
        progress[i].match = response.index
        progress[i].next = max(peer.next, response.index + 1)
        switch peer.state {
        case .probe:
            progress[i].becomeReplicate()
        case .replicate:
            progress[i].inflight.removeAll { $0 <= response.index }
        case .snapshot(let index, _):
            if response.index >= index { progress[i].becomeProbe() }
        }
        if maybeCommit() {
            // broadcastAppend already told everyone
        } else {
            while sendAppend(i, allowEmpty: false) {}
        }
        if transferTarget == message.from && progress[i].match == log.lastIndex {
            send(to: message.from, .timeoutNow)
        }
    }

    /// Moves `next` back after a rejection. Returns false for a stale rejection.
    mutating func decreaseNext(_ i: Int, rejected: UInt64, matchHint: UInt64) -> Bool {
        let peer = progress[i]
        switch peer.state {
        case .replicate:
            guard rejected > peer.match else { return false }
            progress[i].becomeProbe()
            progress[i].next = max(min(rejected, matchHint + 1), peer.match + 1)
            return true
        case .probe:
            guard peer.next - 1 == rejected else { return false }
            progress[i].next = max(min(rejected, matchHint + 1), peer.match + 1)
            progress[i].probeSent = false
            return true
        case .snapshot:
            return false
        }
    }

    mutating func handleHeartbeatResponse(_ message: RaftMessage) {
        guard let i = progress.firstIndex(where: { $0.id == message.from }) else { return }
        progress[i].recentActive = true
        switch progress[i].state {
        case .probe:
            progress[i].probeSent = false
        case .replicate:
            // A lost AppendEntries must not stall the stream forever.
            if progress[i].inflight.count >= options.maxInflightMessages { progress[i].inflight.removeFirst() }
        case .snapshot:
            break
        }
        if progress[i].match < log.lastIndex { sendAppend(i, allowEmpty: true) }
    }

    /// Advances the commit index to the highest index a quorum of voters holds, if that entry is of this term.
    ///
    /// - Returns: whether it advanced (the followers have then been sent the new commit index).
    @discardableResult
    mutating func maybeCommit() -> Bool {
        let config = membership
        var matches: [UInt64] = []
        matches.reserveCapacity(config.voters.count)
        for voter in config.voters {
            if voter == id {
                matches.append(log.lastIndex)
            } else {
                matches.append(progress.first(where: { $0.id == voter })?.match ?? 0)
            }
        }
        guard !matches.isEmpty else { return false }
        matches.sort(by: >)
        let candidate = matches[config.quorum - 1]
        guard candidate > log.committed else { return false }
        // Raft §5.4.2: never commit an earlier term's entry by counting replicas.
        guard options.mutation == .commitPreviousTermEntries || log.term(at: candidate) == term else { return false }
        log.committed = candidate
        if leaderRemovedByCommittedChange() {
            stepDownAfterRemoval()
            return true
        }
        broadcastAppend()
        return true
    }

    // MARK: Follower

    mutating func handleAppendEntries(_ message: RaftMessage, _ append: RaftMessage.AppendEntries) {
        let previous = append.previous
        for (offset, entry) in append.entries.enumerated()
        where entry.index != previous.index + 1 + UInt64(offset) || entry.term > message.term {
            return  // not a well-formed AppendEntries: ignore it rather than corrupt the log
        }
        if previous.index < log.committed {
            // Everything through our commit index matches any leader's log.
            send(to: message.from, .appendResponse(.init(success: true, index: log.committed)))
            return
        }
        let previousMatches =
            options.mutation == .skipPreviousEntryCheck
            ? previous.index <= log.lastIndex : log.matches(previous)
        guard previousMatches else {
            let hint = log.conflictHint(index: min(previous.index, log.lastIndex), term: previous.term)
            send(to: message.from, .appendResponse(.init(success: false, index: previous.index, hint: hint)))
            return
        }
        let lastNew = previous.index + UInt64(append.entries.count)
        if let conflict = append.entries.first(where: { entry in
            log.term(at: entry.index).map { $0 != entry.term } ?? false
        }), conflict.index <= log.committed {
            return  // would overwrite a committed entry: only a bug elsewhere can send this; refuse it
        }
        if let truncatedAt = log.append(append.entries) {
            membershipHistory.removeAll { $0.index >= truncatedAt }
        }
        for entry in append.entries where entry.kind == .membership && entry.index > (membershipHistory.last?.index ?? 0) {
            if let membership = entry.membership { membershipHistory.append((entry.index, membership)) }
        }
        let newCommit = min(append.commit, lastNew)
        if newCommit > log.committed { log.committed = newCommit }
        send(to: message.from, .appendResponse(.init(success: true, index: lastNew)))
    }

    mutating func handleHeartbeat(_ message: RaftMessage, _ heartbeat: RaftMessage.Heartbeat) {
        let newCommit = min(heartbeat.commit, log.lastIndex)
        if newCommit > log.committed { log.committed = newCommit }
        send(to: message.from, .heartbeatResponse(.init(context: heartbeat.context)))
    }
}
