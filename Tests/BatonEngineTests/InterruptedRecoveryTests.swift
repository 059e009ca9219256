import BatonCore
import BatonEngine
import BatonHooks
import BatonStore
import BatonTestSupport
import Foundation
import Logging
import NIOPosix
import Testing

/// A node that takes office resolves the recoveries left running by its predecessor: attempted only if they had
/// been marked executing (they may have changed servers), so one interrupted before it touched a server does not
/// block its cluster.
struct InterruptedRecoveryTests {
    @Test(.timeLimit(.minutes(1)), arguments: [true, false])
    func anInterruptedRecoveryIsAttemptedOnlyIfItWasMarkedExecuting(_ marked: Bool) async throws {
        let database = try BatonDatabase()
        let fixture = try MockClockCoordinator(
            database: database, leadership: WatchedLeadership(nodeName: "node-b", leads: true))
        let clock = fixture.clock, log = fixture.log, coordinator = fixture.coordinator, leadership = fixture.leadership
        let started = clock.wallNow.addingTimeInterval(-30)
        let failed = InstanceKey(hostname: "db-1", port: 3306)
        let record = RecoveryRecord(
            uid: "left-running", failedKey: failed, clusterName: "db-1:3306", analysis: .deadMaster,
            kind: .masterRecovery, processingNode: "node-a", startedAt: started)
        let rules = RegistrationRules(isManual: false, blockSeconds: 3600)
        _ = try await log.submit(.registerRecovery(record, rules))
        if marked { _ = try await log.submit(.markExecuting(uid: "left-running", at: started.addingTimeInterval(1))) }

        var ticks = leadership.asked.makeAsyncIterator()
        let loop = Task { try await coordinator.run() }
        // The first tick takes office and resolves what was left running; the second begins once it has ended.
        #expect(await ticks.next() != nil)
        coordinator.nudge()
        #expect(await ticks.next() != nil)
        loop.cancel()
        try await loop.value

        let resolved = try #require(try database.recoveries(.uid("left-running")).first)
        #expect(resolved.endedAt != nil && !resolved.isSuccessful)
        #expect(resolved.attempted == marked)
        #expect(resolved.errors.contains { $0.hasPrefix("interrupted") })
        // Only a recovery that may have changed servers blocks the next one.
        let next = RecoveryRecord(
            uid: "next", failedKey: failed, clusterName: "db-1:3306", analysis: .deadMaster, kind: .masterRecovery,
            processingNode: "node-b", startedAt: clock.wallNow.addingTimeInterval(1))
        let answer = try await log.submit(.registerRecovery(next, rules))
        #expect((answer.recovery != nil) == !marked, "\(answer.refusal ?? "registered")")
        #expect(answer.blockingRecovery?.uid == (marked ? "left-running" : nil))
    }
}
