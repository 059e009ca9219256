import BatonCore
import BatonEngine
import Foundation
import Testing

@Suite struct ProbeScheduleTests {
    let now = Date(timeIntervalSince1970: 1_000)
    func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "h", port: port) }
    func candidate(_ port: Int, ago: Double?) -> ProbeSchedule.Candidate {
        .init(key: key(port), lastAttempted: ago.map { now.addingTimeInterval(-$0) })
    }

    @Test func dueWhenNeverAttemptedOrAPollHasPassed() {
        let due = ProbeSchedule.due(
            [candidate(1, ago: nil), candidate(2, ago: 5), candidate(3, ago: 4.9)], now: now, pollInterval: 5,
            inFlight: [], urgent: [], limit: 10)
        #expect(due == [key(1), key(2)])
    }

    @Test func inFlightIsNeverDueSoHangsDoNotPileUp() {
        let due = ProbeSchedule.due(
            [candidate(1, ago: 100)], now: now, pollInterval: 5, inFlight: [key(1)], urgent: [key(1)], limit: 10)
        #expect(due.isEmpty)
    }

    @Test func urgentFirstThenMostOverdueWithinTheLimit() {
        let due = ProbeSchedule.due(
            [candidate(1, ago: 6), candidate(2, ago: 60), candidate(3, ago: 1), candidate(4, ago: 30)], now: now,
            pollInterval: 5, inFlight: [], urgent: [key(3)], limit: 3)
        #expect(due == [key(3), key(2), key(4)])
    }

    @Test func zeroLimitChoosesNothing() {
        #expect(
            ProbeSchedule.due([candidate(1, ago: nil)], now: now, pollInterval: 5, inFlight: [], urgent: [], limit: 0)
                .isEmpty)
    }
}
