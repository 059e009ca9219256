import BatonCore
import NIOCore
import Synchronization

/// What a test or operator sees of one simulated server.
public struct FleetInstanceStatus: Sendable, Hashable, Codable {
    public var name: String
    public var cluster: String
    public var key: InstanceKey
    public var flavor: SimulatedFlavor
    public var version: String
    public var serverID: UInt32
    public var alive: Bool
    public var readOnly: Bool
    public var faults: SimulatedFaults
    /// The configured source; nil when the server does not replicate.
    public var source: InstanceKey?
    /// `Yes`, `No` or `Connecting`; nil without replication.
    public var ioRunning: String?
    public var sqlRunning: Bool?
    public var lastIOErrorNumber: Int?
    public var secondsBehindSource: Int?
    /// `@@gtid_executed` / `@@gtid_current_pos` on one line.
    public var executedGTIDSet: String
    public var binlogPosition: Int64
}

extension SimulatedFleet {
    // MARK: Finding servers

    /// Every server as it is now, in topology order.
    public var instances: [FleetInstanceStatus] {
        let now = clock.now
        return state.withLock { state in
            state.settle(now: now)
            return state.servers.indices.map { state.instanceStatus($0, now: now) }
        }
    }

    /// The key (address and bound port) of the server named `name`.
    public func key(_ name: String) -> InstanceKey? {
        state.withLock { state in state.id(named: name).map { state.servers[$0].key } }
    }

    /// The keys of a cluster's servers, in topology order.
    public func keys(inCluster cluster: String) -> [InstanceKey] {
        state.withLock { state in state.servers.filter { $0.cluster == cluster }.map(\.key) }
    }

    /// The cluster names, in topology order.
    public var clusterNames: [String] { topology.clusters.map(\.name) }

    /// The keys of the servers the topology declares as primaries (no source), in topology order.
    public var initialPrimaries: [InstanceKey] {
        topology.allInstances.filter { $0.source == nil }.compactMap { key($0.name) }
    }

    /// The status of one server.
    public func status(_ key: InstanceKey) throws(FleetError) -> FleetInstanceStatus {
        let now = clock.now
        return try withServer(key) { state, id in
            state.settle(now: now)
            return state.instanceStatus(id, now: now)
        }
    }

    /// The journal of faults and replication changes, oldest first.
    public var journal: [FleetEvent] { state.withLock { $0.journal } }

    /// Reads the whole state under the fleet's lock (for checks the other calls do not cover).
    public func inspect<T: Sendable>(_ body: (FleetState) -> T) -> T {
        let now = clock.now
        return state.withLock { state in
            state.settle(now: now)
            return body(state)
        }
    }

    // MARK: Faults

    /// Kills servers: listeners close, open connections are reset (RST), and their replicas' IO threads go to
    /// `Connecting` with error 2003.
    public func kill(_ keys: [InstanceKey]) async throws(FleetError) {
        var ids: [Int] = []
        for key in keys { ids.append(try withServer(key) { _, id in id }) }
        state.withLock { state in for id in ids { state.kill(id) } }
        let (listeners, connections) = network.withLock { network in
            var listeners: [any Channel] = []
            var connections: [any Channel] = []
            for id in ids {
                if let listener = network.listeners.removeValue(forKey: id) { listeners.append(listener) }
                connections += network.connections.removeValue(forKey: id).map { Array($0.values) } ?? []
            }
            return (listeners, connections)
        }
        for connection in connections { Self.reset(connection) }
        for listener in listeners { try? await listener.close() }
    }

    public func kill(_ key: InstanceKey) async throws(FleetError) {
        try await kill([key])
    }

    /// Starts a killed server again on the same address and port; its replicas reconnect.
    public func restart(_ key: InstanceKey) async throws {
        let (id, alive) = try withServer(key) { state, id in (id, state.servers[id].alive) }
        guard !alive else { return }
        _ = try await listen(id, on: key)
        let now = clock.now
        state.withLock { $0.restart(id, now: now) }
    }

    /// Replaces the faults of a server (``SimulatedFaults()`` clears them).
    public func setFaults(_ faults: SimulatedFaults, on key: InstanceKey) throws(FleetError) {
        try withServer(key) { state, id in state.setFaults(faults, on: id) }
    }

    /// The server accepts connections and commands but never answers (until the faults are cleared).
    public func hang(_ key: InstanceKey) throws(FleetError) {
        try updateFaults(key) { $0.hang = true }
    }

    /// Every answer of the server is sent `delay` late.
    public func delayAnswers(_ key: InstanceKey, by delay: Duration) throws(FleetError) {
        let milliseconds = Int(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)
        try updateFaults(key) { $0.delayMilliseconds = max(0, milliseconds) }
    }

    /// Result sets stop after their first row and the connection closes.
    public func sendPartialAnswers(_ key: InstanceKey) throws(FleetError) {
        try updateFaults(key) { $0.partialAnswers = true }
    }

    /// Answers (greetings included) are replaced by random bytes.
    public func sendGarbage(_ key: InstanceKey) throws(FleetError) {
        try updateFaults(key) { $0.garbage = true }
    }

    public func clearFaults(_ key: InstanceKey) throws(FleetError) {
        try setFaults(SimulatedFaults(), on: key)
    }

    /// Cuts the network between every member of `sideA` and every member of `sideB` until ``heal(_:)``.
    /// Put ``FleetEndpoint/baton`` on one side to cut clients off from the other side's servers.
    @discardableResult
    public func partition(
        _ sideA: [FleetEndpoint], from sideB: [FleetEndpoint], mode: FleetPartition.Mode = .blackhole
    ) -> FleetPartition {
        state.withLock { $0.partition(Set(sideA), Set(sideB), mode: mode) }
    }

    /// Removes one cut; replication across it resumes.
    public func heal(_ partition: FleetPartition) {
        let now = clock.now
        state.withLock { $0.heal(partition.id, now: now) }
    }

    /// Removes every cut.
    public func healAll() {
        let now = clock.now
        state.withLock { $0.heal(nil, now: now) }
    }

    // MARK: Replication

    /// `transactions` client writes on a server (read_only is not checked: this is the application's SUPER
    /// user), replicated to every replica that can receive them.
    public func write(to key: InstanceKey, transactions: Int = 1) throws(FleetError) {
        let now = clock.now
        try withServer(key) { state, id in state.write(transactions, on: id, now: now) }
    }

    /// One write of `transactions` on every live server that has no source and is writable.
    public func writeToPrimaries(transactions: Int = 1) {
        let now = clock.now
        state.withLock { state in
            for id in state.servers.indices
            where state.servers[id].alive && state.servers[id].link == nil && !state.servers[id].readOnly {
                state.write(transactions, on: id, now: now)
            }
        }
    }

    /// How long the server, as a replica, takes to apply what it receives.
    public func setLag(_ key: InstanceKey, seconds: Double) throws(FleetError) {
        let now = clock.now
        try withServer(key) { state, id in state.setLag(seconds, on: id, now: now) }
    }

    // MARK: Helpers

    private func updateFaults(_ key: InstanceKey, _ change: (inout SimulatedFaults) -> Void) throws(FleetError) {
        try withServer(key) { state, id in
            var faults = state.servers[id].faults
            change(&faults)
            state.setFaults(faults, on: id)
        }
    }

    func withServer<T>(_ key: InstanceKey, _ body: (inout FleetState, Int) -> T) throws(FleetError) -> T {
        let result: T? = state.withLock { state in
            guard let id = state.id(of: key) else { return nil }
            return body(&state, id)
        }
        guard let result else {
            throw FleetError(code: .unknownInstance, message: "no simulated server listens on \(key)")
        }
        return result
    }
}

extension FleetState {
    func instanceStatus(_ id: Int, now: ContinuousClock.Instant) -> FleetInstanceStatus {
        let server = servers[id]
        var ioRunning: String?
        switch ioStatus(of: id) {
        case .stopped: ioRunning = server.link == nil ? nil : "No"
        case .connecting: ioRunning = "Connecting"
        case .running: ioRunning = "Yes"
        }
        var lastIOErrorNumber = server.link?.lastIOErrorNumber
        if case .connecting(let number, _) = ioStatus(of: id) { lastIOErrorNumber = number }
        return FleetInstanceStatus(
            name: server.name, cluster: server.cluster, key: server.key, flavor: server.profile.flavor,
            version: server.profile.version, serverID: server.serverID, alive: server.alive,
            readOnly: server.readOnly, faults: server.faults,
            source: server.link.map { InstanceKey(hostname: $0.sourceHost, port: $0.sourcePort) },
            ioRunning: ioRunning, sqlRunning: server.link?.sqlRunning, lastIOErrorNumber: lastIOErrorNumber,
            secondsBehindSource: secondsBehind(id, now: now),
            executedGTIDSet: server.executedGTIDText.filter { $0 != "\n" }, binlogPosition: server.binlogPosition)
    }
}
