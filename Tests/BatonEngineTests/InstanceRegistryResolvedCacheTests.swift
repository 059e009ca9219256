import BatonCore
import BatonEngine
import BatonTestSupport
import Foundation
import Testing

/// Probe results that keep an instance's source refresh it in the resolved cache; the picture read is always the
/// one a fresh resolution of the same instances gives.
@Suite struct InstanceRegistryResolvedCacheTests {
    static func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "10.0.0.1", port: port) }

    typealias Step = @Sendable (InstanceRegistry) -> Void

    static func probed(_ port: Int, at seconds: TimeInterval, _ facts: InstanceFacts) -> Step {
        { registry in
            registry.update(key(port)) { instance in
                let at = Date(timeIntervalSince1970: seconds)
                instance.lastAttempted = at
                instance.lastChecked = at
                instance.lastSeen = at
                instance.facts = facts
            }
        }
    }

    /// 1 ← 2 ← 3, 1 ← 4; then probes that change nothing of the topology, then 2 promoted (3 still under it,
    /// 4 repointed to 2), then a renamed host.
    static let steps: [Step] = [
        { registry in for port in 1...4 { registry.register(key(port), at: Date(timeIntervalSince1970: 0)) } },
        probed(1, at: 1, .mariaDB(serverID: 1, replicas: [key(2), key(4)])),
        probed(2, at: 1, .mariaDB(serverID: 2, source: key(1), replicas: [key(3)])),
        probed(3, at: 1, .mariaDB(serverID: 3, source: key(2))),
        probed(4, at: 1, .mariaDB(serverID: 4, source: key(1))),
        probed(3, at: 2, .mariaDB(serverID: 3, source: key(2))),
        { registry in registry.update(key(2)) { $0.facts.uptimeSeconds = 99; $0.lastError = "" } },
        probed(2, at: 3, .mariaDB(serverID: 2, replicas: [key(3)])),
        probed(4, at: 3, .mariaDB(serverID: 4, source: key(2))),
        probed(3, at: 4, .mariaDB(serverID: 3, source: InstanceKey(hostname: "db2", port: 2))),
        { registry in registry.recordResolution("db2", to: "10.0.0.1") },
        probed(1, at: 5, .mariaDB(serverID: 1)),
    ]

    @Test func readsBetweenUpdatesSeeWhatAFreshResolutionSees() {
        let reading = InstanceRegistry()
        for count in 1...Self.steps.count {
            Self.steps[count - 1](reading)
            let fresh = InstanceRegistry()
            for step in Self.steps.prefix(count) { step(fresh) }
            #expect(reading.all() == fresh.all(), "after step \(count)")
            for port in 1...4 {
                #expect(reading.replicaKeys(of: Self.key(port)) == fresh.replicaKeys(of: Self.key(port)))
            }
        }
        let final = reading.all()
        #expect(final.map(\.clusterName) == Array(repeating: "10.0.0.1:1", count: 1) + Array(repeating: "10.0.0.1:2", count: 3))
        #expect(reading.replicaKeys(of: Self.key(2)) == [Self.key(3), Self.key(4)])
        #expect(reading.replicaKeys(of: Self.key(1)).isEmpty)
    }
}
