import BatonTestSupport
import Foundation
import Synchronization
import Testing

@Suite struct MockClockTests {
    @Test func aSleeperWakesWhenTimeReachesItsDeadlineNotBefore() async throws {
        let clock = MockClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(5)) }
        await clock.waitForSleepers(1)
        #expect(clock.nextDeadline == MockClock.Instant(offset: .seconds(5)))
        clock.advance(by: .seconds(4))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        try await sleeper.value
        #expect(clock.sleeperCount == 0)
        #expect(clock.nextDeadline == nil)
    }

    @Test func advanceToNextTimerVisitsDeadlinesEarliestFirst() async throws {
        let clock = MockClock()
        let sleepers = [3, 1, 2].map { seconds in
            Task {
                try await clock.sleep(for: .seconds(seconds))
                return seconds
            }
        }
        await clock.waitForSleepers(3)
        var visited: [MockClock.Instant] = []
        while let deadline = clock.advanceToNextTimer() {
            visited.append(deadline)
            // Only the sleeper due then woke.
            #expect(clock.sleeperCount == 3 - visited.count)
        }
        #expect(visited == [1, 2, 3].map { MockClock.Instant(offset: .seconds($0)) })
        var woken: [Int] = []
        for sleeper in sleepers { woken.append(try await sleeper.value) }
        #expect(woken == [3, 1, 2])
        #expect(clock.now == MockClock.Instant(offset: .seconds(3)))
    }

    @Test func advancingPastSeveralDeadlinesWakesAllOfThem() async throws {
        let clock = MockClock()
        let sleepers = (1...3).map { seconds in Task { try await clock.sleep(for: .seconds(seconds)) } }
        await clock.waitForSleepers(3)
        clock.advance(to: MockClock.Instant(offset: .seconds(10)))
        for sleeper in sleepers { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func aCancelledSleeperResumesAtOnceWithCancellationError() async throws {
        let clock = MockClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(60)) }
        await clock.waitForSleepers(1)
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
        #expect(clock.now == MockClock.Instant(offset: .zero), "time did not move")
    }

    @Test func aDeadlineAlreadyPassedDoesNotSleep() async throws {
        let clock = MockClock()
        clock.advance(by: .seconds(2))
        try await clock.sleep(until: MockClock.Instant(offset: .seconds(1)))
        #expect(clock.sleeperCount == 0)
    }

    @Test func timeNeverMovesBack() {
        let clock = MockClock()
        clock.advance(by: .seconds(2))
        clock.advance(to: MockClock.Instant(offset: .seconds(1)))
        #expect(clock.now == MockClock.Instant(offset: .seconds(2)))
    }

    @Test func waitForSleepersReturnsOnlyOnceThatManySleep() async throws {
        let clock = MockClock()
        let returned = Atomic(false)
        let waiter = Task {
            await clock.waitForSleepers(2)
            returned.store(true, ordering: .sequentiallyConsistent)
        }
        let first = Task { try await clock.sleep(for: .seconds(1)) }
        await clock.waitForSleepers(1)
        let returnedEarly = returned.load(ordering: .sequentiallyConsistent)
        #expect(!returnedEarly)
        let second = Task { try await clock.sleep(for: .seconds(2)) }
        await waiter.value
        #expect(clock.sleeperCount == 2)
        clock.advance(by: .seconds(2))
        try await first.value
        try await second.value
    }

    @Test func wallNowIsTheEpochPlusTheTimeElapsed() {
        let epoch = Date(timeIntervalSince1970: 1_000_000)
        let clock = MockClock(epoch: epoch)
        #expect(clock.wallNow == epoch)
        clock.advance(by: .milliseconds(2500))
        #expect(clock.wallNow == epoch.addingTimeInterval(2.5))
    }
}
