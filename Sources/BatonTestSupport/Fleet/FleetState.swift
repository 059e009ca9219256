import BatonCore

/// Every simulated server of a fleet, the network cuts between them and the journal: the pure core of the
/// simulator. The shell (``SimulatedFleet``) owns it behind a lock, passes the time in, and does the I/O.
///
/// Replication is computed, not threaded: a replica's IO thread is connected when its source is known, alive and
/// not cut off; whenever something changes, ``propagate(now:)`` moves transactions down every connected link, and
/// transactions held back by a replica's lag are applied when a later call finds them due.
public struct FleetState: Sendable {
    public internal(set) var servers: [SimulatedServer] = []
    var indexByKey: [InstanceKey: Int] = [:]
    var indexByName: [String: Int] = [:]
    public internal(set) var partitions: [FleetPartition] = []
    var nextPartitionID = 1
    public internal(set) var journal: [FleetEvent] = []
    /// Servers whose relay log holds transactions waiting for their lag to pass.
    var lagging: Set<Int> = []
    /// Source id to the ids of the servers whose link points at it (resolved by key).
    var replicasBySource: [Int: [Int]] = [:]

    /// Builds the servers of `topology`, with initial transactions written on the primaries and replicated.
    /// - Throws: ``FleetError`` for duplicate names, unknown sources or cycles.
    public init(topology: FleetTopology, now: ContinuousClock.Instant) throws(FleetError) {
        var nextServerID: UInt32 = 1
        var usedIDs = Set(topology.allInstances.compactMap(\.serverID))
        for cluster in topology.clusters {
            for spec in cluster.instances {
                guard indexByName[spec.name] == nil else {
                    throw FleetError(code: .invalidTopology, message: "instance name \(spec.name) is used twice")
                }
                var serverID = spec.serverID
                if serverID == nil {
                    while usedIDs.contains(nextServerID) { nextServerID += 1 }
                    serverID = nextServerID
                    usedIDs.insert(nextServerID)
                }
                let id = servers.count
                let profile = SimulatedServerProfile(
                    flavor: cluster.flavor, version: spec.version ?? cluster.version, versionComment: spec.versionComment)
                let server = SimulatedServer(
                    id: id, name: spec.name, configuredHostname: spec.hostname, cluster: cluster.name,
                    key: InstanceKey(hostname: spec.host ?? "127.0.0.1", port: spec.port ?? 0), profile: profile,
                    serverID: serverID!, serverUUID: Self.uuid(for: serverID!), gtidDomain: cluster.gtidDomain ?? 0,
                    readOnly: spec.readOnly ?? (spec.source != nil), logReplicaUpdates: spec.logReplicaUpdates ?? true,
                    binlogFormat: spec.binlogFormat ?? "ROW", lagSeconds: spec.lagSeconds ?? 0, startedAt: now)
                servers.append(server)
                indexByName[spec.name] = id
            }
        }
        for spec in topology.allInstances {
            let id = indexByName[spec.name]!
            if let sourceName = spec.source {
                guard let source = indexByName[sourceName] else {
                    throw FleetError(code: .invalidTopology, message: "\(spec.name) replicates from unknown \(sourceName)")
                }
                guard source != id else {
                    throw FleetError(code: .invalidTopology, message: "\(spec.name) cannot replicate from itself")
                }
                servers[id].link = SimulatedReplicaLink(sourceHost: sourceName, sourcePort: 0)
            }
            if let count = spec.initialTransactions { servers[id].writeOwn(count) }
        }
        try checkForCycles(topology)
        var keys: Set<InstanceKey> = []
        for server in servers where server.key.port != 0 {
            guard keys.insert(server.key).inserted else {
                throw FleetError(code: .invalidTopology, message: "\(server.key) is used by two instances")
            }
        }
        // Links name their sources until the keys are known (port 0 is bound later, see updateKeys).
        if servers.allSatisfy({ $0.key.port != 0 }) {
            reindex()
            bindLinksToKeys(topology)
            propagate(now: now)
        }
    }

    /// Called by the shell once listeners are bound: records the ports the system picked.
    mutating func updateKeys(_ keys: [Int: InstanceKey], topology: FleetTopology, now: ContinuousClock.Instant) {
        for (id, key) in keys.sorted(by: { $0.key < $1.key }) { servers[id].key = key }
        reindex()
        bindLinksToKeys(topology)
        propagate(now: now)
    }

    private mutating func bindLinksToKeys(_ topology: FleetTopology) {
        for spec in topology.allInstances {
            guard let source = spec.source.flatMap({ indexByName[$0] }), let id = indexByName[spec.name] else { continue }
            let key = servers[source].key
            servers[id].link?.sourceHost = key.hostname
            servers[id].link?.sourcePort = key.port
        }
        rebuildReplicaIndex()
    }

    mutating func rebuildReplicaIndex() {
        replicasBySource = [:]
        for server in servers {
            guard let link = server.link, let source = source(of: link) else { continue }
            replicasBySource[source, default: []].append(server.id)
        }
    }

    /// Moves `id` in the replica index after its link changed from pointing at `old`.
    mutating func relink(_ id: Int, from old: Int?) {
        if let old { replicasBySource[old]?.removeAll { $0 == id } }
        if let link = servers[id].link, let new = source(of: link) {
            replicasBySource[new, default: []].append(id)
            replicasBySource[new]?.sort()
        }
    }

    private mutating func reindex() {
        indexByKey = [:]
        for server in servers {
            indexByKey[server.key] = server.id
            // Clients may also name a server by its @@hostname.
            if indexByKey[InstanceKey(hostname: server.name, port: server.key.port)] == nil {
                indexByKey[InstanceKey(hostname: server.name, port: server.key.port)] = server.id
            }
        }
    }

    private func checkForCycles(_ topology: FleetTopology) throws(FleetError) {
        var sourceOf: [String: String] = [:]
        for spec in topology.allInstances { sourceOf[spec.name] = spec.source }
        for spec in topology.allInstances {
            var seen: Set<String> = [spec.name]
            var current = spec.source
            while let name = current {
                guard seen.insert(name).inserted else {
                    throw FleetError(code: .invalidTopology, message: "replication cycle through \(spec.name)")
                }
                current = sourceOf[name]
            }
        }
    }

    /// A MySQL-style server UUID derived from the server id, so runs are reproducible.
    static func uuid(for serverID: UInt32) -> String {
        let hex = String(serverID, radix: 16)
        let padded = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        return "3e11fa47-71ca-11e1-9e33-" + padded
    }

    // MARK: Lookup

    public func id(of key: InstanceKey) -> Int? { indexByKey[key] }
    public func id(named name: String) -> Int? { indexByName[name] }

    /// The server a replica's link points at, if the fleet has it.
    func source(of link: SimulatedReplicaLink) -> Int? {
        indexByKey[InstanceKey(hostname: link.sourceHost, port: link.sourcePort)]
    }

    /// Whether a cut separates the two endpoints.
    public func isCut(_ x: FleetEndpoint, _ y: FleetEndpoint) -> Bool {
        partitions.contains { $0.separates(x, y) }
    }

    /// How clients reach `id`: nil when they do, otherwise the mode of the cut in the way.
    func clientCut(_ id: Int) -> FleetPartition.Mode? {
        let endpoint = FleetEndpoint.instance(servers[id].key)
        let cuts = partitions.filter { $0.separates(.baton, endpoint) }
        if cuts.isEmpty { return nil }
        return cuts.contains { $0.mode == .refuse } ? .refuse : .blackhole
    }

    mutating func record(_ kind: FleetEvent.Kind, _ id: Int?, _ detail: String = "") {
        journal.append(
            FleetEvent(
                sequence: journal.count + 1, kind: kind, instance: id.map { servers[$0].key },
                cluster: id.map { servers[$0].cluster }, detail: detail))
    }

    // MARK: Control

    /// The server stops: its replicas lose their source. The shell closes its listener and connections.
    mutating func kill(_ id: Int) {
        guard servers[id].alive else { return }
        servers[id].alive = false
        record(.killed, id)
    }

    /// The server runs again with the state it had (as after a crash with durable settings); replication
    /// reconnects where the links allow it.
    mutating func restart(_ id: Int, now: ContinuousClock.Instant) {
        guard !servers[id].alive else { return }
        servers[id].alive = true
        servers[id].startedAt = now
        if servers[id].link != nil { servers[id].link?.hasConnected = false }
        record(.restarted, id)
        propagate(now: now)
    }

    mutating func setFaults(_ faults: SimulatedFaults, on id: Int) {
        servers[id].faults = faults
        record(.faultsChanged, id, "\(faults)")
    }

    mutating func partition(
        _ sideA: Set<FleetEndpoint>, _ sideB: Set<FleetEndpoint>, mode: FleetPartition.Mode
    ) -> FleetPartition {
        let cut = FleetPartition(id: nextPartitionID, sideA: sideA, sideB: sideB, mode: mode)
        nextPartitionID += 1
        partitions.append(cut)
        record(.partitioned, nil, "#\(cut.id) \(sideA.map(\.description).sorted()) | \(sideB.map(\.description).sorted())")
        return cut
    }

    /// Removes the cut `id` (all cuts when nil).
    mutating func heal(_ id: Int?, now: ContinuousClock.Instant) {
        partitions.removeAll { id == nil || $0.id == id }
        record(.healed, nil, id.map { "#\($0)" } ?? "all")
        propagate(now: now)
    }

    mutating func setLag(_ seconds: Double, on id: Int, now: ContinuousClock.Instant) {
        servers[id].lagSeconds = max(0, seconds)
        propagate(now: now)
    }

    /// `count` transactions written by a client on `id` (whatever its read_only), then replicated.
    mutating func write(_ count: Int, on id: Int, now: ContinuousClock.Instant) {
        servers[id].writeOwn(count)
        propagate(from: id, now: now)
    }
}
