import BatonCore
import Foundation
import Synchronization

extension TopologyMonitor {
    /// Looks again, now, at `keys` (concurrently) for a confirmation round: each is probed, and what the probe saw is
    /// recorded as usual and returned. When a probe of a key is already in flight its outcome is used instead of a
    /// second one (it finished after the request). Keys this node does not watch are left out.
    public func lookAgain(at keys: [InstanceKey]) async -> [InstanceSighting] {
        let since = now()
        return await withTaskGroup(of: InstanceSighting?.self) { group in
            for key in keys {
                group.addTask { await self.lookAgain(at: key, since: since) }
            }
            var sightings: [InstanceSighting] = []
            for await sighting in group {
                if let sighting { sightings.append(sighting) }
            }
            return keys.compactMap { key in sightings.first { $0.key == key } }
        }
    }

    /// One key of `lookAgain(at:)`, reported under the name it was asked by.
    func lookAgain(at requested: InstanceKey, since: Date) async -> InstanceSighting? {
        let key = registry.resolve(requested)
        guard registry.contains(key) else { return nil }
        while !Task.isCancelled {
            let seen = probeFinishes.generation
            if scheduler.withLock({ $0.claimForDiscovery(key) }) {
                let probed = await probeOnce(key)
                return registry.instance(probed).map { sighting($0, as: requested) }
            }
            await probeFinishes.wait(after: seen)
            if let instance = registry.instance(key), let checked = instance.lastChecked, checked >= since {
                return sighting(instance, as: requested)
            }
        }
        return nil
    }

    func sighting(_ instance: Instance, as key: InstanceKey) -> InstanceSighting {
        var sighting = InstanceSighting(instance)
        sighting.key = key
        return sighting
    }
}
