import BatonCore
import Foundation
import Testing

@Suite struct InstanceTests {
    let seen = Date(timeIntervalSince1970: 1_700_000_000)

    func instance(attempted: Double, checked: Double, seen seenOffset: Double?) -> Instance {
        var instance = Instance(key: InstanceKey(hostname: "db", port: 3306))
        instance.lastAttempted = seen.addingTimeInterval(attempted)
        instance.lastChecked = seen.addingTimeInterval(checked)
        instance.lastSeen = seenOffset.map { seen.addingTimeInterval($0) }
        return instance
    }

    @Test func validAfterSuccessfulCheck() {
        #expect(instance(attempted: 0, checked: 0, seen: 0).isLastCheckValid(pollSeconds: 5))
    }

    @Test func invalidAfterFailedCheck() {
        #expect(!instance(attempted: 5, checked: 5.2, seen: 0).isLastCheckValid(pollSeconds: 5))
    }

    @Test func invalidWhenNeverSeen() {
        #expect(!instance(attempted: 0, checked: 0, seen: nil).isLastCheckValid(pollSeconds: 5))
    }

    @Test func invalidWhenAnAttemptHangsLongerThanAPollPlusReasonableTime() {
        // The attempt started 7 s after the last success and has not finished: 7 > 5 + 1.
        #expect(!instance(attempted: 7, checked: 0, seen: 0).isLastCheckValid(pollSeconds: 5))
        #expect(instance(attempted: 5, checked: 0, seen: 0).isLastCheckValid(pollSeconds: 5))
    }
}
