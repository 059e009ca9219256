import Foundation

/// Which demoted primaries this node must fence now, and what to say about it — pure: the shell
/// (`DemotedPrimaryFence`) reads the recoveries and the instances, performs the actions and reports back.
///
/// The rule (docs/recovery.md, "Fencing the demoted primary"): the failed primary of a recovery that promoted another
/// server is made read-only (and, unless it already replicates or a graceful takeover demoted it, its client
/// connections are killed) as soon as this node sees it writable again — for as long as that recovery is the latest
/// one involving it and ended less than `horizon` ago. Every node fences; only the leader writes the audit.
public struct DemotedPrimaryFencing: Sendable {
    public struct Settings: Sendable, Equatable {
        /// How long after a recovery its demoted primary is still fenced (`LostInRecoveryDowntimeSeconds`).
        public var horizon: TimeInterval
        /// The wait after a first failed fence; doubled after each further failure, up to `retryCap`.
        public var retryBase: TimeInterval
        public var retryCap: TimeInterval

        public init(horizon: TimeInterval, retryBase: TimeInterval = 1, retryCap: TimeInterval = 30) {
            self.horizon = horizon
            self.retryBase = retryBase
            self.retryCap = retryCap
        }
    }

    /// A recovery that demoted a primary: its failed key must not take writes beside `successor`.
    public struct Demotion: Sendable, Equatable {
        public var uid: String
        public var failed: InstanceKey
        public var successor: InstanceKey
        public var endedAt: Date
        /// A graceful takeover: the old primary stays as a replica of its successor; its connections are not killed.
        public var graceful: Bool

        public init(uid: String, failed: InstanceKey, successor: InstanceKey, endedAt: Date, graceful: Bool = false) {
            self.uid = uid
            self.failed = failed
            self.successor = successor
            self.endedAt = endedAt
            self.graceful = graceful
        }
    }

    /// What this node's last probe of a demoted primary says.
    public struct Sighting: Sendable, Equatable {
        /// When the probe whose facts these are started.
        public var probedAt: Date
        /// Its last check is valid: this node reaches it now.
        public var reachable: Bool
        public var readOnly: Bool
        public var superReadOnly: Bool
        public var hasSuperReadOnly: Bool
        /// It has a replication source configured: someone attached it as a replica.
        public var hasSource: Bool

        public init(
            probedAt: Date, reachable: Bool, readOnly: Bool, superReadOnly: Bool = false, hasSuperReadOnly: Bool = false,
            hasSource: Bool = false
        ) {
            self.probedAt = probedAt
            self.reachable = reachable
            self.readOnly = readOnly
            self.superReadOnly = superReadOnly
            self.hasSuperReadOnly = hasSuperReadOnly
            self.hasSource = hasSource
        }

        /// Read-only, and `super_read_only` where the flavour has it.
        public var isFenced: Bool { readOnly && (superReadOnly || !hasSuperReadOnly) }
    }

    /// One fence to perform on a server.
    public struct Fence: Sendable, Equatable {
        public var uid: String
        public var key: InstanceKey
        public var killConnections: Bool

        public init(uid: String, key: InstanceKey, killConnections: Bool) {
            self.uid = uid
            self.key = key
            self.killConnections = killConnections
        }
    }

    public enum Action: Sendable, Equatable {
        /// Make `key` read-only and, when asked, kill its client connections; report with `fenced` or `fenceFailed`.
        case fence(Fence)
        /// Append `message` to the recovery's audit trail (the leader only).
        case audit(uid: String, message: String)
        /// Log `message` as a warning: a fence this node performed, or a failure.
        case warn(uid: String, key: InstanceKey, message: String)
    }

    struct Memory: Equatable {
        var inFlight = false
        var fencedAt: Date?
        var failures = 0
        var retryAt: Date?
        var audited = false
    }

    public let settings: Settings
    /// Per recovery uid.
    var memory: [String: Memory] = [:]

    public init(settings: Settings) {
        self.settings = settings
    }

    /// The demotions to enforce among `recoveries`: each ended, successful-enough (a successor was promoted) primary
    /// recovery whose failed key is not involved (failed or promoted) in any later or running recovery, ended within
    /// `horizon` of `at`. Sorted by recovery id.
    public static func demotions(_ recoveries: [RecoveryRecord], at: Date, horizon: TimeInterval) -> [Demotion] {
        let ordered = recoveries.sorted { $0.id < $1.id }
        var latest: [InstanceKey: RecoveryRecord] = [:]
        for record in ordered {
            latest[record.failedKey] = record
            if let successor = record.successor { latest[successor] = record }
        }
        return ordered.compactMap { record in
            guard record.kind == .masterRecovery, let endedAt = record.endedAt, let successor = record.successor,
                successor != record.failedKey, latest[record.failedKey]?.uid == record.uid,
                at.timeIntervalSince(endedAt) <= horizon
            else { return nil }
            return Demotion(
                uid: record.uid, failed: record.failedKey, successor: successor, endedAt: endedAt,
                graceful: record.command == "graceful-master-takeover")
        }
    }

    /// What to do now, given the demotions, this node's sightings of their failed keys, which recoveries' audits
    /// already mention the fence (`audited`), and whether this node leads.
    public mutating func evaluate(
        _ demotions: [Demotion], sightings: [InstanceKey: Sighting], audited: Set<String>, isLeader: Bool,
        nodeName: String, at: Date
    ) -> [Action] {
        let uids = Set(demotions.map(\.uid))
        memory = memory.filter { uids.contains($0.key) }
        var actions: [Action] = []
        for demotion in demotions {
            var memo = memory[demotion.uid] ?? Memory()
            if audited.contains(demotion.uid) { memo.audited = true }
            defer { memory[demotion.uid] = memo }
            // Facts older than the recovery's end, or than our own fence, say nothing about the server now.
            guard let sighting = sightings[demotion.failed], sighting.reachable, sighting.probedAt > demotion.endedAt,
                !memo.inFlight, memo.fencedAt.map({ sighting.probedAt > $0 }) ?? true
            else { continue }
            if sighting.isFenced {
                memo.failures = 0
                memo.retryAt = nil
                if isLeader, !memo.audited {
                    memo.audited = true
                    actions.append(.audit(
                        uid: demotion.uid,
                        message: "fence: demoted primary \(demotion.failed) is read-only beside \(demotion.successor)"
                            + " (seen by \(nodeName))"))
                }
                continue
            }
            if let retryAt = memo.retryAt, at < retryAt { continue }
            memo.inFlight = true
            actions.append(.fence(Fence(
                uid: demotion.uid, key: demotion.failed, killConnections: !demotion.graceful && !sighting.hasSource)))
        }
        return actions
    }

    /// A fence succeeded: `statements` ran and `killed` client connections were killed.
    public mutating func fenced(
        _ fence: Fence, statements: [String], killed: Int, isLeader: Bool, nodeName: String, at: Date
    ) -> [Action] {
        var memo = memory[fence.uid] ?? Memory()
        memo.inFlight = false
        memo.fencedAt = at
        memo.failures = 0
        memo.retryAt = nil
        let message =
            "fence: demoted primary \(fence.key) set read-only (\(statements.joined(separator: "; ")))"
            + (fence.killConnections ? ", \(killed) client connection\(killed == 1 ? "" : "s") killed" : ", connections kept")
            + " by \(nodeName)"
        var actions: [Action] = [.warn(uid: fence.uid, key: fence.key, message: message)]
        if isLeader {
            memo.audited = true
            actions.append(.audit(uid: fence.uid, message: message))
        }
        memory[fence.uid] = memo
        return actions
    }

    /// A fence failed: retried after a back-off (`retryBase` doubled per failure, at most `retryCap`).
    public mutating func fenceFailed(_ fence: Fence, error: String, at: Date) -> [Action] {
        var memo = memory[fence.uid] ?? Memory()
        memo.inFlight = false
        memo.failures += 1
        let wait = min(settings.retryCap, settings.retryBase * pow(2, Double(min(memo.failures - 1, 30))))
        memo.retryAt = at.addingTimeInterval(wait)
        memory[fence.uid] = memo
        return [.warn(
            uid: fence.uid, key: fence.key,
            message: "fence: cannot fence demoted primary \(fence.key) (attempt \(memo.failures), retry in \(Int(wait)) s): \(error)")]
    }

    /// An audit line could not be stored (leadership lost meanwhile): the next evaluation may record it again.
    public mutating func auditFailed(uid: String) {
        memory[uid]?.audited = false
    }

    /// The earliest retry due, if any: the shell evaluates again then.
    public var nextDeadline: Date? {
        memory.values.compactMap { $0.inFlight ? nil : $0.retryAt }.min()
    }
}
