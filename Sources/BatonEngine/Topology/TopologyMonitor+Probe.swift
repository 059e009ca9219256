import BatonCore
import BatonStore
import CoreMetrics
import Foundation
import Logging
import Synchronization

extension TopologyMonitor {
    /// Probes one instance and records the outcome. The caller has marked `key` in flight; this clears it.
    /// Returns the key the instance is known by afterwards (it changes when hostname resolution renames it).
    @discardableResult
    func probeOnce(_ key: InstanceKey) async -> InstanceKey {
        let started = now()
        defer { reportFinished(key, startedAt: started) }
        guard registry.contains(key) else { return key }
        // `lastAttempted` is stamped with the outcome (`Instance.record`), not now. The scheduler never looks at
        // an instance in flight, so it sees the same times either way.
        let stopwatch = clock.stopwatch()
        let outcome = await probing.probe(key)
        let elapsed = stopwatch()
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

    /// After a failed probe of an instance with replicas: probe the replicas now instead of at their next turn,
    /// and retry the instance itself, at most once a second (`ProbeScheduler.probeFailed`).
    func confirmFailure(of key: InstanceKey, at date: Date) {
        let replicas = replicaKeys(of: key)
        let asked = scheduler.withLock { $0.probeFailed(key, replicas: replicas, at: date) }
        if !asked.isEmpty { schedulerWake.signal() }
    }

    /// The instances that replicate from `key`, by their own report or by the source's list of replicas.
    func replicaKeys(of key: InstanceKey) -> [InstanceKey] {
        var keys = Set(registry.replicaKeys(of: key))
        for replica in registry.instance(key)?.facts.replicaKeys ?? [] { keys.insert(registry.resolve(replica)) }
        return keys.sorted()
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
