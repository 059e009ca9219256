import BatonCore
import Foundation

/// Which instances to probe now: pure, so the rules are tested without a clock.
///
/// An instance is due when it was never attempted, when a poll interval has passed since its last attempt, or
/// when someone asked for it urgently (discovery, a neighbour's failure). An instance whose probe is still
/// running is never due: a hanging server costs one slot, not a pile of them. Among due instances the most
/// overdue go first, so a concurrency limit delays everyone fairly rather than starving some.
public enum ProbeSchedule {
    public struct Candidate: Sendable, Equatable {
        public var key: InstanceKey
        public var lastAttempted: Date?
        public init(key: InstanceKey, lastAttempted: Date?) {
            self.key = key
            self.lastAttempted = lastAttempted
        }
    }

    public static func due(
        _ candidates: [Candidate], now: Date, pollInterval: TimeInterval, inFlight: Set<InstanceKey>,
        urgent: Set<InstanceKey>, limit: Int
    ) -> [InstanceKey] {
        guard limit > 0 else { return [] }
        var chosen: [(priority: Int, since: Date, key: InstanceKey)] = []
        for candidate in candidates where !inFlight.contains(candidate.key) {
            let last = candidate.lastAttempted ?? .distantPast
            if urgent.contains(candidate.key) {
                chosen.append((0, last, candidate.key))
            } else if now.timeIntervalSince(last) >= pollInterval {
                chosen.append((1, last, candidate.key))
            }
        }
        chosen.sort { ($0.priority, $0.since, $0.key) < ($1.priority, $1.since, $1.key) }
        return chosen.prefix(limit).map(\.key)
    }
}
