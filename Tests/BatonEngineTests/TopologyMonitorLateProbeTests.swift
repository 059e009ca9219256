import BatonCore
import BatonEngine
import BatonStore
import BatonTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// A probe that starts long after the last success — the scheduler was busy — does not make the instance's last
/// check invalid while it runs: a recovery deciding meanwhile must still see its replicas as valid candidates.
@Suite(.timeLimit(.minutes(1))) struct TopologyMonitorLateProbeTests {
    static let key = InstanceKey(hostname: "10.0.0.1", port: 2)
    static let facts = InstanceFacts.mariaDB(serverID: 2, source: InstanceKey(hostname: "10.0.0.1", port: 1))

    /// Answers every probe with `facts`, but only once the gate is open.
    final class GatedProbing: InstanceProbing {
        let open = Mutex(true)
        let probes = Atomic<Int>(0)
        /// Signalled when a probe starts and when the gate opens.
        let events = ChangeSignal()
        let connectionLosses = AsyncStream<ConnectionLoss> { _ in }

        func probe(_ key: InstanceKey) async -> ProbeOutcome {
            probes.add(1, ordering: .relaxed)
            events.signal()
            while true {
                let seen = events.generation
                if open.withLock({ $0 }) { break }
                await events.wait(after: seen)
            }
            return .success(TopologyMonitorLateProbeTests.facts)
        }

        func openGate() {
            open.withLock { $0 = true }
            events.signal()
        }

        func release(_ key: InstanceKey) async {}
        func shutdown() async {}
    }

    @Test func aProbeStartedLateKeepsTheLastCheckValidWhileItRuns() async throws {
        let clock = MockClock()
        let probing = GatedProbing()
        let monitor = try TopologyMonitor(
            database: BatonDatabase(), probing: probing,
            configuration: EngineConfiguration(pollInterval: .seconds(1), hostnameResolution: .none),
            logger: Logger(label: "test"), clock: clock, now: { clock.wallNow })
        let first = try await monitor.discover(Self.key)
        #expect(first.isLastCheckValid(pollSeconds: 1))

        // Ten seconds later (far more than a poll interval plus ReasonableInstanceCheckSeconds) the next probe
        // starts, and the server takes its time to answer.
        clock.advance(by: .seconds(10))
        probing.open.withLock { $0 = false }
        let second = Task { try await monitor.discover(Self.key) }
        await TopologyMonitorTests.until(probing.events) { probing.probes.load(ordering: .relaxed) == 2 }
        let running = try #require(monitor.registry.instance(Self.key))
        #expect(running.isLastCheckValid(pollSeconds: 1))

        // It answers: valid, and the attempt is recorded with the time it started.
        let started = clock.wallNow
        clock.advance(by: .milliseconds(500))
        probing.openGate()
        let answered = try await second.value
        #expect(answered.isLastCheckValid(pollSeconds: 1))
        #expect(answered.lastAttempted == started)
        #expect(answered.lastSeen == started.addingTimeInterval(0.5))
    }
}
