import BatonCore
import BatonMySQL
import BatonStore
import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Watches every known instance: probes each one every poll interval (and at once when asked), crawls the
/// topology from what probes reveal, and writes results behind to SQLite.
///
/// Runs as a `Service`; the HTTP API and the CLI use `discover`, `forget` and the read methods while it runs.
/// The decisions are pure (`ProbeScheduler`, `Instance.record`); this shell owns the lock, the probe tasks and
/// the clock. The scheduler sleeps until the next instance falls due and is woken early when work arrives.
public final class TopologyMonitor: Service, Sendable {
    public let registry: InstanceRegistry
    let database: BatonDatabase
    let probing: any InstanceProbing
    let configuration: EngineConfiguration
    let metrics: EngineMetrics
    let logger: Logger
    let clock: ServiceClock
    let now: @Sendable () -> Date

    let scheduler: Mutex<ProbeScheduler>
    /// Wakes the scheduler before its deadline: urgent work arrived or a slot freed.
    let schedulerWake = ChangeSignal()
    /// Signalled whenever a probe finishes, for `discover` waiting on a probe in flight.
    let probeFinishes = ChangeSignal()

    /// Loads what the database remembers and prepares to probe it.
    /// - Parameters:
    ///   - clock: what the monitor sleeps and measures probes on (`ContinuousClock()` in the daemon).
    ///   - now: the wall time stamped on instances (`{ Date() }` in the daemon).
    public init<C: Clock>(
        database: BatonDatabase, probing: any InstanceProbing, configuration: EngineConfiguration,
        metrics: EngineMetrics = .discarding, logger: Logger, clock: C, now: @escaping @Sendable () -> Date
    ) throws(StoreError) where C.Duration == Duration {
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
        self.clock = ServiceClock(clock)
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
        guard await claim(key) else { throw DiscoveryError(key: key, message: "cancelled") }
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
        guard !keys.isEmpty else { return }
        scheduler.withLock { $0.probeSoon(keys) }
        schedulerWake.signal()
    }

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
            try? await clock.sleep(for: configuration.flushInterval)
            flush()
        }
    }

    /// Starts the probes that are due, then sleeps until the next instance falls due — at least `schedulerTick`
    /// later, so instances falling due together are started together — or until woken by urgent work or a freed
    /// slot.
    func scheduleLoop() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let seen = schedulerWake.generation
                let candidates = registry.probeCandidates()
                let at = now()
                let (due, deadline) = scheduler.withLock { scheduler in
                    (scheduler.due(candidates: candidates, now: at), scheduler.nextDeadline(candidates: candidates))
                }
                for key in due {
                    group.addTask { await self.probeOnce(key) }
                }
                let timeout = deadline.map { max(.seconds($0.timeIntervalSince(at)), configuration.schedulerTick) }
                await schedulerWake.wait(after: seen, timeout: timeout, on: clock)
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

    /// Claims `key` for a probe outside the schedule, waiting for a probe of it in flight to finish first.
    /// Returns false when the task was cancelled before.
    func claim(_ key: InstanceKey) async -> Bool {
        while !Task.isCancelled {
            let seen = probeFinishes.generation
            if scheduler.withLock({ $0.claimForDiscovery(key) }) { return true }
            await probeFinishes.wait(after: seen)
        }
        return false
    }

    /// Reports a finished probe to the scheduler, and wakes whoever waits for it.
    func reportFinished(_ key: InstanceKey, startedAt: Date) {
        let wake = scheduler.withLock { $0.probeFinished(key, startedAt: startedAt) }
        probeFinishes.signal()
        if wake { schedulerWake.signal() }
    }
}
