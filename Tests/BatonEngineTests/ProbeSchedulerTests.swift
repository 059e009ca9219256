import BatonCore
import BatonEngine
import Foundation
import Testing

@Suite struct ProbeSchedulerTests {
    static let now = Date(timeIntervalSince1970: 1_000)
    static func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "h", port: port) }
    static func candidate(_ port: Int, ago: Double?) -> ProbeScheduler.Candidate {
        .init(key: key(port), lastAttempted: ago.map { now.addingTimeInterval(-$0) })
    }
    static func scheduler(poll: Int = 5, limit: Int = 10) -> ProbeScheduler {
        ProbeScheduler(pollInterval: .seconds(poll), maxConcurrency: limit)
    }

    // MARK: - What is due

    @Test func dueWhenNeverAttemptedOrAPollHasPassed() {
        var scheduler = Self.scheduler()
        let due = scheduler.due(
            candidates: [Self.candidate(1, ago: nil), Self.candidate(2, ago: 5), Self.candidate(3, ago: 4.9)],
            now: Self.now)
        #expect(due == [Self.key(1), Self.key(2)])
    }

    @Test func inFlightIsNeverDueSoHangsDoNotPileUp() {
        var scheduler = Self.scheduler()
        let claimed = scheduler.claimForDiscovery(Self.key(1))
        #expect(claimed)
        scheduler.probeSoon([Self.key(1)])
        let due = scheduler.due(candidates: [Self.candidate(1, ago: 100)], now: Self.now)
        #expect(due.isEmpty)
    }

    @Test func whatIsDueIsInFlightUntilItsProbeFinishes() {
        var scheduler = Self.scheduler()
        let candidates = [Self.candidate(1, ago: 100)]
        let due = scheduler.due(candidates: candidates, now: Self.now)
        #expect(due == [Self.key(1)])
        #expect(scheduler.inFlight == [Self.key(1)])
        let dueAgain = scheduler.due(candidates: candidates, now: Self.now)
        #expect(dueAgain.isEmpty, "never twice at once")
        _ = scheduler.probeFinished(Self.key(1), startedAt: Self.now)
        let dueAfterItFinished = scheduler.due(candidates: candidates, now: Self.now)
        #expect(dueAfterItFinished == [Self.key(1)])
    }

    @Test func urgentFirstThenMostOverdueWithinTheLimit() {
        var scheduler = Self.scheduler(limit: 3)
        scheduler.probeSoon([Self.key(3)])
        let due = scheduler.due(
            candidates: [
                Self.candidate(1, ago: 6), Self.candidate(2, ago: 60), Self.candidate(3, ago: 1),
                Self.candidate(4, ago: 30),
            ], now: Self.now)
        #expect(due == [Self.key(3), Self.key(2), Self.key(4)])
        #expect(scheduler.urgent.isEmpty, "a started probe is no longer asked for")
    }

    @Test func zeroLimitChoosesNothing() {
        var scheduler = Self.scheduler(limit: 0)
        let due = scheduler.due(candidates: [Self.candidate(1, ago: nil)], now: Self.now)
        #expect(due.isEmpty)
    }

    /// (in flight before, limit, due now): probes in flight take slots.
    @Test(arguments: [(0, 2, 2), (1, 2, 1), (2, 2, 0), (3, 5, 2)])
    func theConcurrencyLimitCountsProbesInFlight(inFlight: Int, limit: Int, dueNow: Int) {
        var scheduler = Self.scheduler(limit: limit)
        for port in 100..<(100 + inFlight) {
            let claimed = scheduler.claimForDiscovery(Self.key(port))
            #expect(claimed)
        }
        let candidates = (1...4).map { Self.candidate($0, ago: nil) }
        let due = scheduler.due(candidates: candidates, now: Self.now)
        #expect(due.count == dueNow)
    }

    @Test func discoveryClaimsAnInstanceOnceUntilItsProbeFinishes() {
        var scheduler = Self.scheduler()
        let claimed = scheduler.claimForDiscovery(Self.key(1))
        #expect(claimed)
        let claimedTwice = scheduler.claimForDiscovery(Self.key(1))
        #expect(!claimedTwice)
        _ = scheduler.probeFinished(Self.key(1), startedAt: Self.now)
        let claimedAfterItFinished = scheduler.claimForDiscovery(Self.key(1))
        #expect(claimedAfterItFinished)
    }

    @Test func forgottenKeysAreNoLongerUrgent() {
        var scheduler = Self.scheduler()
        scheduler.probeSoon([Self.key(1), Self.key(2)])
        scheduler.forgotten(Self.key(1))
        #expect(scheduler.urgent == [Self.key(2)])
        // Registered again later and probed a moment ago: it waits for its turn.
        let due = scheduler.due(candidates: [Self.candidate(1, ago: 1)], now: Self.now)
        #expect(due.isEmpty)
    }

    // MARK: - Failures

    /// (seconds after the first failure, asked for): the replicas every time, the primary at most once a second.
    @Test(arguments: [(0.0, [2, 3, 1]), (0.5, [2, 3]), (0.999, [2, 3]), (1.0, [2, 3, 1]), (1.5, [2, 3]), (2.0, [2, 3, 1])])
    func aFailedPrimaryIsRetriedAtMostOnceASecondButItsReplicasEveryTime(after: Double, asked: [Int]) {
        var scheduler = Self.scheduler()
        let replicas = [Self.key(2), Self.key(3)]
        var answer: [InstanceKey] = []
        // Failures every half second up to `after`, as a dead primary probed in a loop would produce.
        var times = stride(from: 0.0, to: after, by: 0.5).map { $0 }
        times.append(after)
        for time in times {
            answer = scheduler.probeFailed(Self.key(1), replicas: replicas, at: Self.now.addingTimeInterval(time))
        }
        #expect(answer == asked.map(Self.key))
        #expect(Set(answer).isSubset(of: scheduler.urgent))
    }

    @Test func aFailedInstanceWithoutReplicasWaitsForItsTurn() {
        var scheduler = Self.scheduler()
        let asked = scheduler.probeFailed(Self.key(1), replicas: [], at: Self.now)
        #expect(asked.isEmpty)
        #expect(scheduler.urgent.isEmpty)
    }

    @Test func aForgottenPrimaryMayBeRetriedAtOnceWhenSeenAgain() {
        var scheduler = Self.scheduler()
        _ = scheduler.probeFailed(Self.key(1), replicas: [Self.key(2)], at: Self.now)
        scheduler.forgotten(Self.key(1))
        let asked = scheduler.probeFailed(Self.key(1), replicas: [Self.key(2)], at: Self.now)
        #expect(asked.contains(Self.key(1)))
    }

    // MARK: - Deadlines

    /// The earliest instance not in flight falls due a poll interval after its last attempt.
    @Test func theNextDeadlineIsWhenTheEarliestInstanceFallsDue() {
        var scheduler = Self.scheduler(poll: 5)
        _ = scheduler.claimForDiscovery(Self.key(1))
        let candidates = [Self.candidate(1, ago: 10), Self.candidate(2, ago: 1), Self.candidate(3, ago: 3)]
        let deadline = scheduler.nextDeadline(candidates: candidates)
        #expect(deadline == Self.now.addingTimeInterval(2))
    }

    @Test func anUrgentOrNeverAttemptedInstanceIsDueAtOnce() {
        var scheduler = Self.scheduler(poll: 5)
        let deadline = scheduler.nextDeadline(candidates: [Self.candidate(1, ago: nil)])
        #expect(deadline.map { $0 <= Self.now } == true)
        scheduler.probeSoon([Self.key(2)])
        let urgentDeadline = scheduler.nextDeadline(candidates: [Self.candidate(2, ago: 1)])
        #expect(urgentDeadline.map { $0 <= Self.now } == true)
    }

    @Test func noDeadlineWithoutInstancesOrWithEverySlotTaken() {
        var scheduler = Self.scheduler(limit: 1)
        let withoutInstances = scheduler.nextDeadline(candidates: [])
        #expect(withoutInstances == nil)
        _ = scheduler.claimForDiscovery(Self.key(1))
        let withEverySlotTaken = scheduler.nextDeadline(candidates: [Self.candidate(2, ago: 1)])
        #expect(withEverySlotTaken == nil)
    }

    /// (seconds before now the finished probe started, limit, wakes): the shell sleeps until an instance due
    /// 2 s from now; a finished probe wakes it only when its instance falls due earlier, or when it frees a slot
    /// of a full limit.
    @Test(arguments: [(4.0, 10, true), (3.5, 10, true), (3.0, 10, false), (1.0, 10, false), (0.0, 2, true)])
    func aFinishedProbeWakesTheShellOnlyWhenItMatters(startedAgo: Double, limit: Int, wakes: Bool) {
        var scheduler = Self.scheduler(poll: 5, limit: limit)
        _ = scheduler.claimForDiscovery(Self.key(1))
        _ = scheduler.claimForDiscovery(Self.key(9))
        let deadline = scheduler.nextDeadline(candidates: [Self.candidate(2, ago: 3)])
        #expect(deadline == (limit == 2 ? nil : Self.now.addingTimeInterval(2)))
        let wake = scheduler.probeFinished(Self.key(1), startedAt: Self.now.addingTimeInterval(-startedAgo))
        #expect(wake == wakes)
    }

    @Test func aProbeThatWasNotInFlightWakesNothing() {
        var scheduler = Self.scheduler()
        let wakes = scheduler.probeFinished(Self.key(1), startedAt: Self.now)
        #expect(!wakes)
    }
}
