import BatonCore
import BatonStore
import Foundation
import Logging
import Synchronization

/// What operators decide for instances and clusters: downtimes, candidate registrations (promotion rules) and the
/// global recovery switch. Kept in memory for the analysis and the API, written through to SQLite.
///
/// With Raft (a later issue) these become commands in the replicated log; today the single node is authoritative.
public final class OperatorControls: Sendable {
    struct State {
        var downtimes: [InstanceKey: Downtime] = [:]
        var candidates: [InstanceKey: CandidateRegistration] = [:]
        var recoveriesEnabled = true
    }

    let database: BatonDatabase
    let logger: Logger
    /// orchestrator's `CandidateInstanceExpireMinutes`.
    let candidateLifetime: TimeInterval
    private let state = Mutex(State())

    static let recoveriesSetting = BatonDatabase.recoveriesSwitchSetting

    public init(database: BatonDatabase, candidateLifetime: TimeInterval = 3600, logger: Logger) throws(StoreError) {
        self.database = database
        self.logger = logger
        self.candidateLifetime = candidateLifetime
        let downtimes = try database.loadDowntimes()
        let candidates = try database.loadCandidates()
        let enabled = try database.loadSetting(Self.recoveriesSetting) != "disabled"
        state.withLock { state in
            for downtime in downtimes { state.downtimes[downtime.key] = downtime }
            for candidate in candidates { state.candidates[candidate.key] = candidate }
            state.recoveriesEnabled = enabled
        }
    }

    /// Reads the downtimes, candidates and switch from the store again (after a Raft snapshot replaced them).
    public func reload() throws(StoreError) {
        let downtimes = try database.loadDowntimes()
        let candidates = try database.loadCandidates()
        let enabled = try database.loadSetting(Self.recoveriesSetting) != "disabled"
        state.withLock { state in
            state.downtimes = Dictionary(downtimes.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
            state.candidates = Dictionary(candidates.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
            state.recoveriesEnabled = enabled
        }
    }

    // MARK: - Downtime

    /// Stores a downtime decided elsewhere (a replicated command carries its exact end).
    public func applyDowntime(_ downtime: Downtime, beginsAt: Date) throws(StoreError) {
        try database.saveDowntime(downtime, beginsAt: beginsAt)
        state.withLock { $0.downtimes[downtime.key] = downtime }
    }

    /// Stores a candidate registration decided elsewhere.
    public func applyCandidate(_ registration: CandidateRegistration) throws(StoreError) {
        try database.saveCandidate(registration)
        state.withLock { $0.candidates[registration.key] = registration }
    }

    /// How long `register-candidate` lasts (`CandidateInstanceExpireMinutes`).
    public var candidateRegistrationLifetime: TimeInterval { candidateLifetime }

    /// Downtimes an instance until `now + duration`; replaces an earlier downtime of the same instance.
    public func beginDowntime(
        _ key: InstanceKey, owner: String, reason: String, duration: TimeInterval, now: Date
    ) throws(StoreError) -> Downtime {
        let downtime = Downtime(key: key, owner: owner, reason: reason, endsAt: now.addingTimeInterval(duration))
        try database.saveDowntime(downtime, beginsAt: now)
        state.withLock { $0.downtimes[key] = downtime }
        logger.info(
            "Downtime begun",
            metadata: ["baton.instance": "\(key)", "baton.owner": "\(owner)", "baton.duration_s": "\(Int(duration))"])
        return downtime
    }

    /// Ends an instance's downtime; false when it had none in force.
    public func endDowntime(_ key: InstanceKey, now: Date) throws(StoreError) -> Bool {
        let wasActive = state.withLock { $0.downtimes[key]?.isActive(at: now) ?? false }
        _ = try database.deleteDowntime(key)
        state.withLock { _ = $0.downtimes.removeValue(forKey: key) }
        if wasActive { logger.info("Downtime ended", metadata: ["baton.instance": "\(key)"]) }
        return wasActive
    }

    /// Downtimes in force at `now`, ordered by key.
    public func activeDowntimes(at now: Date) -> [Downtime] {
        state.withLock { state in state.downtimes.values.filter { $0.isActive(at: now) }.sorted { $0.key < $1.key } }
    }

    public func downtime(of key: InstanceKey, at now: Date) -> Downtime? {
        state.withLock { state in state.downtimes[key].flatMap { $0.isActive(at: now) ? $0 : nil } }
    }

    // MARK: - Candidates

    /// Registers a promotion rule for an instance for `CandidateInstanceExpireMinutes`.
    public func registerCandidate(_ key: InstanceKey, rule: PromotionRule, now: Date) throws(StoreError) {
        let registration = CandidateRegistration(
            key: key, rule: rule, registeredAt: now, expiresAt: now.addingTimeInterval(candidateLifetime))
        try database.saveCandidate(registration)
        state.withLock { $0.candidates[key] = registration }
        logger.info("Candidate registered", metadata: ["baton.instance": "\(key)", "baton.promotion_rule": "\(rule.rawValue)"])
    }

    /// The registered rule in force for `key`, `neutral` when none.
    public func promotionRule(of key: InstanceKey, at now: Date) -> PromotionRule {
        state.withLock { state in
            guard let registration = state.candidates[key], registration.expiresAt > now else { return .neutral }
            return registration.rule
        }
    }

    /// `instances` with their registered promotion rules applied.
    public func annotate(_ instances: [Instance], at now: Date) -> [Instance] {
        let rules = state.withLock { state in
            state.candidates.filter { $0.value.expiresAt > now }.mapValues(\.rule)
        }
        guard !rules.isEmpty else { return instances }
        return instances.map { instance in
            var instance = instance
            if let rule = rules[instance.key] { instance.promotionRule = rule }
            return instance
        }
    }

    // MARK: - Global recoveries

    public var recoveriesEnabled: Bool { state.withLock { $0.recoveriesEnabled } }

    /// Turns automated recoveries on or off for every cluster (orchestrator's global switch).
    public func setRecoveriesEnabled(_ enabled: Bool) throws(StoreError) {
        try database.saveSetting(Self.recoveriesSetting, enabled ? "enabled" : "disabled")
        state.withLock { $0.recoveriesEnabled = enabled }
        logger.notice(enabled ? "Global recoveries enabled" : "Global recoveries disabled")
    }
}
