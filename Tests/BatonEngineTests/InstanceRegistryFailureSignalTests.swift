import BatonCore
import BatonEngine
import BatonTestSupport
import Foundation
import Testing

/// The failure detector re-analyses at once only when a failure signal changes; a probe that confirms what was
/// known (new timestamps, uptime, GTID positions) waits for the periodic analysis.
@Suite struct InstanceRegistryFailureSignalTests {
    static let primary = InstanceKey(hostname: "10.0.0.1", port: 1)
    static let replica = InstanceKey(hostname: "10.0.0.1", port: 2)

    func seen(_ registry: InstanceRegistry, at seconds: TimeInterval, _ change: (inout Instance) -> Void = { _ in }) {
        registry.update(Self.replica) { instance in
            let at = Date(timeIntervalSince1970: seconds)
            instance.lastAttempted = at
            instance.lastChecked = at
            instance.lastSeen = at
            change(&instance)
        }
    }

    @Test func onlyChangesOfFailureSignalsMoveTheVersion() {
        let registry = InstanceRegistry()
        var version = registry.failureSignalVersion
        func moved() -> Bool {
            defer { version = registry.failureSignalVersion }
            return registry.failureSignalVersion != version
        }
        registry.register(Self.replica, at: Date(timeIntervalSince1970: 0))
        #expect(moved())
        seen(registry, at: 1) { $0.facts = .mariaDB(serverID: 2, source: Self.primary) }
        #expect(moved())

        // The same picture again, with new timestamps, uptime and GTID position: nothing to re-analyse.
        seen(registry, at: 2) { instance in
            instance.facts.uptimeSeconds = 100
            instance.facts.executedGTIDSet = "0-1-200"
            instance.facts.replication?.secondsBehindSource = 3
        }
        #expect(!moved())
        #expect(registry.version != 0)

        // A failed check, and the next success.
        registry.update(Self.replica) { $0.lastChecked = Date(timeIntervalSince1970: 3) }
        #expect(moved())
        seen(registry, at: 4)
        #expect(moved())

        // Replication broken, repointed; read-only changed; a replica appeared.
        seen(registry, at: 5) { instance in
            instance.facts.replication?.ioThread = .other
            instance.facts.replication?.lastIOErrorNumber = 2003
        }
        #expect(moved())
        seen(registry, at: 6) { $0.facts.replication?.sourceKey = InstanceKey(hostname: "10.0.0.1", port: 3) }
        #expect(moved())
        seen(registry, at: 7) { $0.facts.readOnly = false }
        #expect(moved())
        seen(registry, at: 8) { $0.facts.replicaKeys = [InstanceKey(hostname: "10.0.0.1", port: 4)] }
        #expect(moved())

        registry.remove(Self.replica)
        #expect(moved())
    }
}
