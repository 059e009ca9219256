import BatonCore
import BatonEngine
import BatonHooks
import BatonStore
import BatonTestSupport
import Foundation
import Logging
import NIOPosix
import Testing

/// The coordinator's loop wakes when nudged, without waiting for its clock.
struct RecoveryCoordinatorWakeUpTests {
    @Test(.timeLimit(.minutes(1)))
    func aNudgeWakesTheLoopAtOnceWhileTheClockStandsStill() async throws {
        // A follower, asked once per tick, on a clock that never advances: only a nudge can wake the loop.
        let fixture = try MockClockCoordinator(database: try BatonDatabase(), leadership: WatchedLeadership(leads: false))
        let coordinator = fixture.coordinator, leadership = fixture.leadership
        var ticks = leadership.asked.makeAsyncIterator()
        let loop = Task { try await coordinator.run() }

        // The loop ticks once when it starts; then only a nudge can wake it, since its clock never advances.
        #expect(await ticks.next() != nil)
        coordinator.nudge()
        #expect(await ticks.next() != nil)
        coordinator.nudge()
        #expect(await ticks.next() != nil)

        loop.cancel()
        try await loop.value
    }
}
