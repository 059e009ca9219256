import BatonCore
import Foundation

/// Which instances to probe, and when: the monitor's scheduling decisions as a pure value. The monitor's shell
/// owns the lock, the clock and the probe tasks; it reports events here and does what the answers say.
///
/// An instance is due when it was never attempted, when a poll interval has passed since its last attempt, or
/// when someone asked for it urgently (discovery, a neighbour's failure). An instance whose probe is still running
/// is never due: a hanging server costs one slot, not a pile of them, and one instance is never probed twice at
/// once. Urgent instances go first, then the most overdue, so a concurrency limit delays everyone fairly rather
/// than starving some.
public struct ProbeScheduler: Sendable {
    /// What the scheduler needs to know of each instance.
    public struct Candidate: Sendable, Equatable {
        public var key: InstanceKey
        public var lastAttempted: Date?

        public init(key: InstanceKey, lastAttempted: Date?) {
            self.key = key
            self.lastAttempted = lastAttempted
        }
    }

    public let pollInterval: TimeInterval
    public let maxConcurrency: Int
    /// A failed instance with replicas is retried at once, but not more often than this.
    public let failureRetrySpacing: TimeInterval

    public private(set) var inFlight: Set<InstanceKey> = []
    public private(set) var urgent: Set<InstanceKey> = []
    /// When each failed instance was last retried at once.
    var retriedAt: [InstanceKey: Date] = [:]
    /// The deadline the shell sleeps until (the last `nextDeadline` answer), so that a finished probe wakes it
    /// only when its instance falls due earlier.
    var wakeAt: Date?

    public init(pollInterval: Duration, maxConcurrency: Int, failureRetrySpacing: Duration = .seconds(1)) {
        self.pollInterval = pollInterval.inSeconds
        self.maxConcurrency = maxConcurrency
        self.failureRetrySpacing = failureRetrySpacing.inSeconds
    }

    /// The instances to probe now, at most as many as free slots; they are in flight from now on.
    public mutating func due(candidates: [Candidate], now: Date) -> [InstanceKey] {
        let limit = maxConcurrency - inFlight.count
        guard limit > 0 else { return [] }
        var chosen: [(priority: Int, since: Date, key: InstanceKey)] = []
        for candidate in candidates where !inFlight.contains(candidate.key) {
            let last = candidate.lastAttempted ?? .distantPast
            if urgent.contains(candidate.key) {
                chosen.append((0, last, candidate.key))
            } else if last.addingTimeInterval(pollInterval) <= now {
                // The same sum as `nextDeadline`'s, so that an instance is due at the very deadline it gave.
                chosen.append((1, last, candidate.key))
            }
        }
        chosen.sort { ($0.priority, $0.since, $0.key) < ($1.priority, $1.since, $1.key) }
        let keys = chosen.prefix(limit).map(\.key)
        inFlight.formUnion(keys)
        urgent.subtract(keys)
        return keys
    }

    /// When the next instance falls due, for the shell to sleep until: `nil` when nothing will fall due by time
    /// alone (no instances, or every slot taken — a finished probe wakes the shell then).
    public mutating func nextDeadline(candidates: [Candidate]) -> Date? {
        wakeAt = nil
        guard inFlight.count < maxConcurrency else { return nil }
        for candidate in candidates where !inFlight.contains(candidate.key) {
            let deadline =
                urgent.contains(candidate.key)
                ? Date.distantPast : (candidate.lastAttempted ?? .distantPast).addingTimeInterval(pollInterval)
            if wakeAt.map({ deadline < $0 }) ?? true { wakeAt = deadline }
        }
        return wakeAt
    }

    /// A probe finished; its instance next falls due a poll interval after `startedAt`.
    /// - Returns: whether the shell must wake before its deadline: a slot freed while all were taken, or the
    ///   instance falls due before the deadline the shell sleeps until.
    public mutating func probeFinished(_ key: InstanceKey, startedAt: Date) -> Bool {
        let wasFull = inFlight.count >= maxConcurrency
        guard inFlight.remove(key) != nil else { return false }
        let next = startedAt.addingTimeInterval(pollInterval)
        if wasFull || urgent.contains(key) || wakeAt.map({ next < $0 }) ?? true {
            wakeAt = min(next, wakeAt ?? next)
            return true
        }
        return false
    }

    /// Asks for `keys` to be probed as soon as a slot is free. The shell wakes to take them.
    public mutating func probeSoon(_ keys: [InstanceKey]) {
        urgent.formUnion(keys)
    }

    /// `key` is no longer watched: nothing is kept for it.
    public mutating func forgotten(_ key: InstanceKey) {
        urgent.remove(key)
        retriedAt.removeValue(forKey: key)
    }

    /// A probe of `key` failed. Its replicas are probed at once (they are the second opinion on whether it is
    /// dead), and so is `key` itself, but at most once per `failureRetrySpacing`, so a dead primary is retried
    /// promptly but never in a tight loop. An instance without replicas waits for its turn.
    /// - Returns: the keys now asked for (already urgent).
    public mutating func probeFailed(_ key: InstanceKey, replicas: [InstanceKey], at date: Date) -> [InstanceKey] {
        guard !replicas.isEmpty else { return [] }
        var keys = replicas
        if retriedAt[key].map({ date.timeIntervalSince($0) >= failureRetrySpacing }) ?? true {
            retriedAt[key] = date
            keys.append(key)
        }
        probeSoon(keys)
        return keys
    }

    /// Claims `key` for a probe outside the schedule (`discover`). Returns false while a probe of it is in
    /// flight: the caller waits for that one to finish and tries again.
    public mutating func claimForDiscovery(_ key: InstanceKey) -> Bool {
        inFlight.insert(key).inserted
    }
}
