import BatonCore
import BatonEngine
import BatonHooks
import BatonStore
import BatonTestSupport
import Foundation
import Logging
import NIOPosix
import Testing

/// A server a recovery left behind is downtimed `lost-in-recovery`; once it replicates again the downtime ends.
struct LostDowntimeTests {
    static func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "10.0.0.1", port: port) }

    @Test func aLostInstanceThatReplicatesAgainIsNoLongerDowntimed() async throws {
        let probing = ScriptedProbing()
        probing.set(Self.key(1), .facts(.mariaDB(serverID: 1, replicas: [Self.key(2)])))
        probing.set(Self.key(2), .facts(.mariaDB(serverID: 2, source: Self.key(1))))
        probing.set(Self.key(3), .facts(.mariaDB(serverID: 3)))
        let now = Date()
        let node = try await BatonNode.scripted(probing, now: { now })
        for port in 1...3 { _ = try await node.monitor.discover(Self.key(port)) }
        let controls = node.controls, coordinator = node.coordinator, configuration = node.configuration
        let lifetime = TimeInterval(configuration.recovery.lostInRecoveryDowntimeSeconds)
        for port in 2...3 {
            _ = try controls.beginDowntime(
                Self.key(port), owner: "baton", reason: "lost-in-recovery", duration: lifetime,
                now: now.addingTimeInterval(-120))
        }
        _ = try controls.beginDowntime(Self.key(1), owner: "ops", reason: "maintenance", duration: 3600, now: now)

        await coordinator.endLostDowntimesOfRecoveredInstances(at: now)

        let still = controls.activeDowntimes(at: now).map(\.key)
        // 2 replicates again: its downtime ended. 3 does not replicate; 1's downtime is an operator's.
        #expect(still == [Self.key(1), Self.key(3)])

        // A fresh lost-in-recovery downtime is kept for its first minute, replicating or not.
        _ = try controls.beginDowntime(
            Self.key(2), owner: "baton", reason: "lost-in-recovery", duration: lifetime, now: now.addingTimeInterval(-10))
        await coordinator.endLostDowntimesOfRecoveredInstances(at: now)
        #expect(controls.activeDowntimes(at: now).map(\.key) == [Self.key(1), Self.key(2), Self.key(3)])
    }
}
