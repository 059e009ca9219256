import BatonCore

extension FleetState {
    /// What a replica's IO thread is doing, derived from its link, its source and the network.
    public enum IOStatus: Sendable, Equatable {
        /// Not started, stopped, or no replication configured.
        case stopped
        /// Started but cannot reach its source: the error it reports (2003, like a real replica).
        case connecting(errorNumber: Int, message: String)
        /// Connected to the server with this id.
        case running(source: Int)
    }

    public func ioStatus(of id: Int) -> IOStatus {
        let server = servers[id]
        guard let link = server.link, link.ioWanted, server.alive else { return .stopped }
        guard let source = source(of: link), servers[source].alive else {
            return .connecting(errorNumber: 2003, message: Self.connectError(server, link, timedOut: false))
        }
        if isCut(.instance(server.key), .instance(servers[source].key)) {
            return .connecting(errorNumber: 2003, message: Self.connectError(server, link, timedOut: true))
        }
        return .running(source: source)
    }

    /// The text a real replica puts in `Last_IO_Error` when it cannot reach its source.
    static func connectError(_ server: SimulatedServer, _ link: SimulatedReplicaLink, timedOut: Bool) -> String {
        let target = "\(link.user)@\(link.sourceHost):\(link.sourcePort)"
        let again = link.hasConnected ? "reconnecting" : "connecting"
        if server.isMariaDB {
            let reason = timedOut ? "(110 \"Connection timed out\")" : "(111 \"Connection refused\")"
            return "error \(again) to master '\(target)' - retry-time: \(link.connectRetry)  maximum-retries: 100000  "
                + "message: Can't connect to server on '\(link.sourceHost)' \(reason)"
        }
        let reason = timedOut ? "(110)" : "(111)"
        return "Error \(again) to source '\(target)'. This was attempt 1/86400, with a delay of \(link.connectRetry) "
            + "seconds between attempts. Message: Can't connect to MySQL server on '\(link.sourceHost):\(link.sourcePort)' \(reason)"
    }

    /// Moves transactions down every link (after restarts, heals, lag changes): every IO thread that can reach its
    /// source receives what it lacks, every SQL thread applies what is due, and downstream replicas follow.
    mutating func propagate(now: ContinuousClock.Instant) {
        for id in servers.indices { propagate(from: id, now: now) }
    }

    /// Replicates what `origin` has to its replicas, theirs, and so on.
    mutating func propagate(from origin: Int, now: ContinuousClock.Instant) {
        var queue = [origin]
        var visited: Set<Int> = []
        if servers[origin].link != nil {
            receive(origin, now: now)
            applyDue(origin, now: now)
        }
        while let source = queue.popLast() {
            guard visited.insert(source).inserted else { continue }
            for replica in replicasBySource[source] ?? [] {
                receive(replica, now: now)
                if applyDue(replica, now: now) { queue.append(replica) }
            }
        }
    }

    /// Applies relay logs whose lag has passed, and replicates the result. Cheap when no replica lags.
    mutating func settle(now: ContinuousClock.Instant) {
        guard !lagging.isEmpty else { return }
        for id in lagging.sorted() where applyDue(id, now: now) {
            propagate(from: id, now: now)
        }
    }

    /// The IO thread of `id` fetches what its source has and it lacks.
    mutating func receive(_ id: Int, now: ContinuousClock.Instant) {
        guard case .running(let sourceID) = ioStatus(of: id), var link = servers[id].link else { return }
        let source = servers[sourceID]
        if !link.hasConnected || link.sourceServerID != source.serverID {
            link.hasConnected = true
            link.sourceServerID = source.serverID
            link.sourceUUID = source.isMariaDB ? "" : source.serverUUID
            link.lastIOErrorNumber = 0
            link.lastIOError = ""
            link.lastIOErrorTimestamp = ""
        }
        let have = servers[id].executedGTIDs.union(link.received)
        let missing = have.missing(from: source.binlogGTIDs)
        if missing > 0 {
            link.received.formUnion(source.binlogGTIDs)
            link.pending.append(
                .init(
                    receivedAt: now, gtids: source.binlogGTIDs, count: missing, sourceFile: source.binlogFile,
                    sourcePosition: source.binlogPosition))
            link.relayPosition += Int64(missing) * SimulatedServer.transactionSize
        }
        link.readFile = source.binlogFile
        link.readPosition = source.binlogPosition
        if link.pending.isEmpty {
            link.execFile = link.readFile
            link.execPosition = link.readPosition
        }
        servers[id].link = link
    }

    /// The SQL thread of `id` applies the relay log batches whose lag has passed.
    /// - Returns: whether anything was applied.
    @discardableResult
    mutating func applyDue(_ id: Int, now: ContinuousClock.Instant) -> Bool {
        guard servers[id].alive, var link = servers[id].link else { return false }
        var applied = false
        if link.sqlRunning {
            let lag = Duration.milliseconds(Int64(servers[id].lagSeconds * 1000))
            while let first = link.pending.first, first.receivedAt.advanced(by: lag) <= now {
                servers[id].applyReplicated(first.gtids, count: first.count)
                link.execFile = first.sourceFile
                link.execPosition = first.sourcePosition
                link.pending.removeFirst()
                applied = true
            }
        }
        if link.pending.isEmpty {
            lagging.remove(id)
        } else {
            lagging.insert(id)
        }
        servers[id].link = link
        return applied
    }

    /// `Seconds_Behind_Master`: nil unless both threads run; else the age of the oldest unapplied batch.
    func secondsBehind(_ id: Int, now: ContinuousClock.Instant) -> Int? {
        guard let link = servers[id].link, link.sqlRunning, case .running = ioStatus(of: id) else { return nil }
        guard let oldest = link.pending.first else { return 0 }
        let age = oldest.receivedAt.duration(to: now)
        return max(0, Int(age.components.seconds))
    }
}
