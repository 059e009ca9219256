import BatonCore
import BatonMySQL
import BatonStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Watches every known instance: probes each one every poll interval (and at once when asked), crawls the
/// topology from what probes reveal, and writes results behind to SQLite.
///
/// Runs as a `Service`; the HTTP API and the CLI use `discover`, `forget` and the read methods while it runs.
public final class TopologyMonitor: Service, Sendable {
    public let registry: InstanceRegistry
    let database: BatonDatabase
    let probing: any InstanceProbing
    let configuration: EngineConfiguration
    let metrics: EngineMetrics
    let logger: Logger
    let now: @Sendable () -> Date

    let scheduler: Mutex<ProbeScheduler>

    /// Loads what the database remembers and prepares to probe it.
    public init(
        database: BatonDatabase, probing: any InstanceProbing, configuration: EngineConfiguration,
        metrics: EngineMetrics = .discarding, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) throws(StoreError) {
        let loaded = try database.loadInstances()
        for key in loaded.corrupt {
            logger.error("Stored instance record is unreadable and was skipped", metadata: ["baton.instance": "\(key)"])
        }
        registry = InstanceRegistry(instances: loaded.instances, resolutions: try database.loadHostnameResolutions())
        self.database = database
        self.probing = probing
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.now = now
        scheduler = Mutex(
            ProbeScheduler(pollInterval: configuration.pollInterval, maxConcurrency: configuration.maxConcurrency))
        metrics.instancesKnown.record(registry.count)
    }

    public func run() async throws {
        logger.info("Topology monitor started", metadata: ["baton.instances": "\(registry.count)"])
        await withDiscardingTaskGroup { group in
            group.addTask { await self.writeLoop() }
            group.addTask { await self.scheduleLoop() }
            group.addTask { await self.connectionLossLoop() }
            // Returns when the service group begins a graceful shutdown (SIGTERM/SIGINT) or this task is cancelled.
            try? await gracefulShutdown()
            group.cancelAll()
        }
        flush()
        await probing.shutdown()
        logger.info("Topology monitor stopped")
    }

    // MARK: - Operations

    /// Probes `key` now and returns what was read; neighbours found by the probe are discovered in the
    /// background. Throws when the instance cannot be read; an instance never read before is then not kept.
    public func discover(_ requested: InstanceKey) async throws(DiscoveryError) -> Instance {
        let key = registry.resolve(requested)
        guard key.isValid else { throw DiscoveryError(key: requested, message: "not a valid host:port") }
        let isNew = registry.register(key, at: now())
        await waitUntilIdle(key)
        let finalKey = await probeOnce(key)
        guard let instance = registry.instance(finalKey) else {
            throw DiscoveryError(key: key, message: "forgotten while being discovered")
        }
        guard instance.lastSeen != nil, let checked = instance.lastChecked, let seen = instance.lastSeen,
            checked <= seen
        else {
            if isNew && instance.lastSeen == nil { forget(finalKey) }
            throw DiscoveryError(key: key, message: instance.lastError.isEmpty ? "probe failed" : instance.lastError)
        }
        return instance
    }

    /// Stops watching `key` and deletes it from the store. Returns false when it was not known.
    @discardableResult
    public func forget(_ key: InstanceKey) -> Bool {
        let resolved = registry.resolve(key)
        guard registry.remove(resolved) else { return false }
        scheduler.withLock { $0.forgotten(resolved) }
        metrics.instancesKnown.record(registry.count)
        let probing = self.probing
        Task { await probing.release(resolved) }
        logger.info("Instance forgotten", metadata: ["baton.instance": "\(resolved)"])
        return true
    }

    /// Asks for `keys` to be probed as soon as a slot is free.
    public func probeSoon(_ keys: [InstanceKey]) {
        scheduler.withLock { $0.probeSoon(keys) }
    }

    /// Writes every pending change to SQLite now.
    public func flush() {
        let (changed, removed) = registry.takeDirty()
        do {
            try database.deleteInstances(removed)
            try database.saveInstances(changed)
            metrics.storeWrites.increment(by: changed.count)
        } catch {
            metrics.storeErrors.increment()
            registry.markDirty(changed.map(\.key), removed: removed)
            logger.error("Cannot write instances to the store", metadata: ["baton.error": "\(error)"])
        }
    }

    // MARK: - Loops

    func writeLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.flushInterval)
            flush()
        }
    }

    func scheduleLoop() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                for key in dueKeys() {
                    group.addTask { await self.probeOnce(key) }
                }
                try? await Task.sleep(for: configuration.schedulerTick)
            }
        }
    }

    /// A connection closed by the server between polls is a failed check now: the instance turns invalid at once,
    /// and it and its replicas (the second observers) are probed at once.
    func connectionLossLoop() async {
        for await loss in probing.connectionLosses {
            guard registry.contains(loss.key) else { continue }
            let at = now()
            registry.update(loss.key) { $0.recordLostConnection(loss.reason, at: at) }
            metrics.probeErrors.increment()
            logger.info(
                "Server closed the probe connection", metadata: ["baton.instance": "\(loss.key)", "baton.error": "\(loss.reason)"])
            probeSoon([loss.key] + replicaKeys(of: loss.key))
        }
    }

    /// The instances that replicate from `key`, by their own report or by the source's list of replicas.
    func replicaKeys(of key: InstanceKey) -> [InstanceKey] {
        var keys = Set(registry.replicaKeys(of: key))
        for replica in registry.instance(key)?.facts.replicaKeys ?? [] { keys.insert(registry.resolve(replica)) }
        return keys.sorted()
    }

    /// After a failed probe of an instance with replicas: probe the replicas now instead of at their next turn,
    /// and retry the instance itself, at most once a second.
    func confirmFailure(of key: InstanceKey, at date: Date) {
        let replicas = replicaKeys(of: key)
        scheduler.withLock { _ = $0.probeFailed(key, replicas: replicas, at: date) }
    }

    /// Picks due instances and marks them in flight.
    func dueKeys() -> [InstanceKey] {
        let candidates = registry.probeCandidates()
        let at = now()
        return scheduler.withLock { $0.due(candidates: candidates, now: at) }
    }

    func waitUntilIdle(_ key: InstanceKey) async {
        while true {
            let claimed = scheduler.withLock { $0.claimForDiscovery(key) }
            if claimed { return }
            try? await Task.sleep(for: .milliseconds(10))
            if Task.isCancelled { return }
        }
    }

    // MARK: - One probe

    /// Probes one instance and records the outcome. The caller has marked `key` in flight; this clears it.
    /// Returns the key the instance is known by afterwards (it changes when hostname resolution renames it).
    @discardableResult
    func probeOnce(_ key: InstanceKey) async -> InstanceKey {
        let started = now()
        defer { scheduler.withLock { _ = $0.probeFinished(key, startedAt: started) } }
        guard registry.contains(key) else { return key }
        // `lastAttempted` is stamped with the outcome (`Instance.record`), not now. The scheduler never looks at
        // an instance in flight, so it sees the same times either way.
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await probing.probe(key)
        let elapsed = clock.now - start
        let finished = now()
        metrics.probes.increment()
        metrics.probeDuration.recordNanoseconds(elapsed.inNanoseconds)

        var canonical = key
        var location = Instance.Location()
        if case .success(let facts) = outcome {
            canonical = adopt(key, facts: facts, at: finished)
            location = self.location(of: canonical)
        }
        registry.update(canonical) { instance in
            instance.record(outcome, startedAt: started, finishedAt: finished, latency: elapsed, location: location)
        }
        switch outcome {
        case .success(let facts):
            crawl(from: facts)
        case .partial(_, let error):
            metrics.partialProbes.increment()
            logger.debug("Partial probe", metadata: ["baton.instance": "\(key)", "baton.error": "\(error)"])
        case .failure(let error):
            metrics.probeErrors.increment()
            logger.debug("Probe failed", metadata: ["baton.instance": "\(key)", "baton.error": "\(error)"])
            confirmFailure(of: key, at: finished)
        }
        return canonical
    }

    /// Where the host name patterns place `key`.
    func location(of key: InstanceKey) -> Instance.Location {
        let patterns = configuration.patterns
        return Instance.Location(
            dataCenter: patterns.dataCenter(of: key.hostname), region: patterns.region(of: key.hostname),
            physicalEnvironment: patterns.physicalEnvironment(of: key.hostname))
    }

    /// Applies hostname resolution: when the server calls itself by another name, the instance moves to that
    /// name and the old name is remembered as an alias.
    func adopt(_ key: InstanceKey, facts: InstanceFacts, at date: Date) -> InstanceKey {
        let canonical = configuration.hostnameResolution.canonicalKey(for: key, facts: facts)
        guard canonical != key else { return key }
        registry.recordResolution(key.hostname, to: canonical.hostname)
        do {
            try database.saveHostnameResolution(key.hostname, to: canonical.hostname, at: date)
        } catch {
            logger.error("Cannot save hostname resolution", metadata: ["baton.error": "\(error)"])
        }
        let previous = registry.instance(key)
        registry.remove(key)
        if registry.register(canonical, at: date), let previous {
            registry.update(canonical) { $0.firstSeen = previous.firstSeen }
        }
        let probing = self.probing
        Task { await probing.release(key) }
        logger.info(
            "Instance renamed by hostname resolution",
            metadata: ["baton.instance": "\(key)", "baton.resolved": "\(canonical)"])
        return canonical
    }

    /// Registers the source and replicas a probe revealed and asks for them to be probed at once.
    func crawl(from facts: InstanceFacts) {
        var neighbours = facts.replicaKeys
        if let source = facts.replication?.sourceKey { neighbours.append(source) }
        var found: [InstanceKey] = []
        for neighbour in neighbours {
            let key = registry.resolve(neighbour)
            guard key.isValid else { continue }
            if registry.register(key, at: now()) {
                found.append(key)
                logger.info("Instance discovered", metadata: ["baton.instance": "\(key)"])
            }
        }
        if !found.isEmpty {
            probeSoon(found)
            metrics.instancesKnown.record(registry.count)
        }
    }
}

extension TopologyMonitor {
    /// Registers `keys` (e.g. `DiscoverySeeds`) and probes them as soon as the scheduler runs; the crawl
    /// continues from there.
    public func discoverInBackground(_ keys: [InstanceKey]) {
        var added: [InstanceKey] = []
        for key in keys.map(registry.resolve) where key.isValid {
            registry.register(key, at: now())
            added.append(key)
        }
        probeSoon(added)
        metrics.instancesKnown.record(registry.count)
    }
}
