import BatonCore
import Foundation
import Synchronization

/// The node's picture of every known instance: the source of truth for reads, written behind to SQLite.
///
/// Mutations record which keys changed (`takeDirty`) so the writer saves only those. Cluster names and depths
/// are derived on read and cached until a change of the topology (an instance added, removed, renamed or
/// repointed); an update that keeps the instance's source refreshes it in the cache instead, so that reads stay
/// cheap while thousands of probe results arrive each second.
public final class InstanceRegistry: Sendable {
    struct State {
        var instances: [InstanceKey: Instance] = [:]
        /// Unresolved host name → resolved host name (see `HostnameResolution`).
        var resolutions: [String: String] = [:]
        var dirty: Set<InstanceKey> = []
        var deleted: Set<InstanceKey> = []
        var resolvedCache: [InstanceKey: Instance]?
        /// Each source's replicas in `resolvedCache` (valid with it).
        var replicaIndex: [InstanceKey: [InstanceKey]] = [:]
        /// Incremented by every change, so readers can tell cheaply whether anything moved.
        var version: UInt64 = 0
        /// Incremented by changes of the set of instances and of their `FailureSignal`s.
    }

    private let state = Mutex(State())
    /// Signalled when an instance is added, removed or renamed, or when one's `FailureSignal` changes: the failure
    /// detector waits on it.
    public let failureSignalChanges = ChangeSignal()

    public init(instances: [Instance] = [], resolutions: [String: String] = [:]) {
        state.withLock { state in
            for instance in instances { state.instances[instance.key] = instance }
            state.resolutions = resolutions
        }
    }

    /// Changes with every update; equal values mean nothing changed in between.
    public var version: UInt64 { state.withLock { $0.version } }

    /// Changes when an instance is added, removed or renamed, or when one's `FailureSignal` changes (a failed or
    /// recovered check, replication stopped, broken or repointed, read-only, replicas): not when a probe merely
    /// confirms what was known.
    public var failureSignalVersion: UInt64 { failureSignalChanges.generation }

    /// The number of known instances.
    public var count: Int { state.withLock { $0.instances.count } }

    /// Maps a host name through the recorded resolutions.
    public func resolve(_ key: InstanceKey) -> InstanceKey {
        state.withLock { state in
            InstanceKey(hostname: state.resolutions[key.hostname] ?? key.hostname, port: key.port)
        }
    }

    public func contains(_ key: InstanceKey) -> Bool {
        state.withLock { $0.instances[key] != nil }
    }

    /// Adds an instance that has not been probed yet. Returns false when it was already known.
    @discardableResult
    public func register(_ key: InstanceKey, at date: Date) -> Bool {
        let added = state.withLock { state in
            guard state.instances[key] == nil else { return false }
            var instance = Instance(key: key)
            instance.firstSeen = date
            state.instances[key] = instance
            state.deleted.remove(key)
            state.dirty.insert(key)
            state.resolvedCache = nil
            state.version &+= 1
            return true
        }
        if added { failureSignalChanges.signal() }
        return added
    }

    /// Changes one instance in place; does nothing when the key is unknown (it was forgotten meanwhile).
    public func update(_ key: InstanceKey, _ change: (inout Instance) -> Void) {
        let signalled = state.withLock { state -> Bool in
            guard var instance = state.instances[key] else { return false }
            let signal = FailureSignal(instance)
            let source = instance.facts.replication?.sourceKey
            change(&instance)
            state.instances[key] = instance
            state.dirty.insert(key)
            if instance.facts.replication?.sourceKey == source, let cached = state.resolvedCache?[key] {
                // Same source, same topology: what resolution derived still holds.
                instance.sourceKey = cached.sourceKey
                instance.clusterName = cached.clusterName
                instance.replicationDepth = cached.replicationDepth
                instance.isCoPrimary = cached.isCoPrimary
                state.resolvedCache?[key] = instance
            } else {
                state.resolvedCache = nil
            }
            state.version &+= 1
            return FailureSignal(instance) != signal
        }
        if signalled { failureSignalChanges.signal() }
    }

    /// Records that `hostname` is known as `resolved`, and moves an instance registered under the unresolved name.
    public func recordResolution(_ hostname: String, to resolved: String) {
        state.withLock { state in
            state.resolutions[hostname] = resolved
            state.resolvedCache = nil
            state.version &+= 1
        }
        failureSignalChanges.signal()
    }

    public var resolutions: [String: String] { state.withLock { $0.resolutions } }

    /// Removes an instance. Returns false when it was not known.
    @discardableResult
    public func remove(_ key: InstanceKey) -> Bool {
        let removed = state.withLock { state in
            guard state.instances.removeValue(forKey: key) != nil else { return false }
            state.dirty.remove(key)
            state.deleted.insert(key)
            state.resolvedCache = nil
            state.version &+= 1
            return true
        }
        if removed { failureSignalChanges.signal() }
        return removed
    }

    /// Marks keys for writing again after a failed write, so nothing is lost.
    public func markDirty(_ keys: [InstanceKey], removed: [InstanceKey]) {
        state.withLock { state in
            state.dirty.formUnion(keys.filter { state.instances[$0] != nil })
            state.deleted.formUnion(removed.filter { state.instances[$0] == nil })
        }
    }

    /// The instances changed and removed since the last call, for the store writer.
    public func takeDirty() -> (changed: [Instance], removed: [InstanceKey]) {
        state.withLock { state in
            let resolved = Self.resolved(&state)
            let changed = state.dirty.sorted().compactMap { resolved[$0] }
            let removed = state.deleted.sorted()
            state.dirty.removeAll()
            state.deleted.removeAll()
            return (changed, removed)
        }
    }

    /// Each instance's key and last attempt, for the scheduler: no topology resolution, so it stays cheap while
    /// probe results keep changing the registry.
    public func probeCandidates() -> [ProbeScheduler.Candidate] {
        state.withLock { state in
            state.instances.values.map { ProbeScheduler.Candidate(key: $0.key, lastAttempted: $0.lastAttempted) }
        }
    }

    /// Every instance with cluster name and depth derived, ordered by key.
    public func all() -> [Instance] {
        state.withLock { state in Self.resolved(&state).values.sorted { $0.key < $1.key } }
    }

    /// The instances whose source (after hostname resolution) is `key`, ordered by key.
    public func replicaKeys(of key: InstanceKey) -> [InstanceKey] {
        state.withLock { state in
            _ = Self.resolved(&state)
            return state.replicaIndex[key] ?? []
        }
    }

    public func instance(_ key: InstanceKey) -> Instance? {
        state.withLock { state in Self.resolved(&state)[key] }
    }

    private static func resolved(_ state: inout State) -> [InstanceKey: Instance] {
        if let cached = state.resolvedCache { return cached }
        let resolutions = state.resolutions
        let linked = state.instances.values.map { instance -> Instance in
            var instance = instance
            instance.sourceKey = instance.facts.replication.map { replication in
                let source = replication.sourceKey
                return InstanceKey(hostname: resolutions[source.hostname] ?? source.hostname, port: source.port)
            }
            return instance
        }
        var map: [InstanceKey: Instance] = [:]
        var replicas: [InstanceKey: [InstanceKey]] = [:]
        for instance in TopologyResolver.resolve(linked) {
            map[instance.key] = instance
            if let source = instance.sourceKey { replicas[source, default: []].append(instance.key) }
        }
        for source in replicas.keys { replicas[source]?.sort() }
        state.resolvedCache = map
        state.replicaIndex = replicas
        return map
    }
}
