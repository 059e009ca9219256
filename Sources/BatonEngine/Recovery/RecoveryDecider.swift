import BatonCore
import BatonPolicy
import Foundation

/// The decisions of a recovery that touch no server: the policy's `filter`, the candidate ranking with the
/// policy's `rank`, the plan, and the policy's `pre_failover`/`post_failover`/`on_detection`.
///
/// The coordinator, `GET /api/what-if` and `baton policy test` all decide through this type, so a dry run shows
/// exactly what a real recovery would do. Lua runs synchronously and bounded by the policy's limits; call these
/// off the cooperative pool when that matters.
public struct RecoveryDecider: Sendable {
    public var settings: BatonConfiguration.RecoverySettings
    public var policy: LoadedPolicy
    public var pollSeconds: Int
    public var reasonableCheckSeconds: Int

    public init(
        settings: BatonConfiguration.RecoverySettings, policy: LoadedPolicy, pollSeconds: Int, reasonableCheckSeconds: Int
    ) {
        self.settings = settings
        self.policy = policy
        self.pollSeconds = pollSeconds
        self.reasonableCheckSeconds = reasonableCheckSeconds
    }

    /// A yes/no decision with its reason and what the audit should say about it.
    public struct Verdict: Sendable, Equatable {
        public var proceed: Bool
        public var reason: String?
        public var audit: [String]
    }

    /// What the candidate selection decided.
    public struct PlanOutcome: Sendable {
        /// Baton's built-in ranking (dead primary only).
        public var builtInRanking: CandidateRanking.Result?
        /// The policy's order, when its `rank` ran and answered.
        public var policyOrder: [InstanceKey]?
        public var policyReasons: [InstanceKey: String] = [:]
        public var plan: RecoveryPlan?
        /// Why there is no plan (no candidate, a veto, a policy failure in `abort` mode).
        public var refusal: String?
        public var audit: [String] = []
    }

    // MARK: - filter

    /// The policy's `filter(analysis)`; without a policy or a `filter`, recovery is allowed.
    public func filter(_ analysis: ReplicationAnalysis) -> Verdict {
        guard let policy = usablePolicy(for: .filter) else { return policyUnavailable(.filter) }
        do {
            let outcome = try policy.filter(PolicyAnalysis(analysis))
            let lines = logLines(outcome.logLines, .filter)
            if outcome.value.allowed { return Verdict(proceed: true, reason: nil, audit: lines) }
            let reason = "the policy's filter refused: \(outcome.value.reason ?? "no reason given")"
            return Verdict(proceed: false, reason: reason, audit: lines + [reason])
        } catch {
            return policyFailed(.filter, error)
        }
    }

    /// The policy's `on_detection(analysis)`: informational, its errors are only recorded.
    public func onDetection(_ analysis: ReplicationAnalysis) -> [String] {
        guard let policy = policy.policy, policy.defines(.onDetection) else { return [] }
        do {
            return logLines(try policy.onDetection(PolicyAnalysis(analysis)).logLines, .onDetection)
        } catch {
            return ["policy on_detection failed: \(error)"]
        }
    }

    // MARK: - candidate and plan

    /// Ranks the candidates (built-in rules, then the policy's `rank`) and builds the plan.
    /// - Parameters:
    ///   - instances: the whole topology as last probed, promotion rules applied.
    ///   - downtimed: instances downtimed now (policies see `is_downtimed`).
    ///   - forcedCandidate: the operator's choice; the policy's `rank` does not run then.
    public func plan(
        failed failedKey: InstanceKey, kind: RecoveryPlan.Kind, instances: [Instance], downtimed: Set<InstanceKey>,
        forcedCandidate: InstanceKey? = nil, context: PolicyContext
    ) -> PlanOutcome {
        var outcome = PlanOutcome()
        guard let failed = instances.first(where: { $0.key == failedKey }) else {
            outcome.refusal = "\(failedKey) is not known"
            return outcome
        }
        let replicas = instances.filter { $0.sourceKey == failedKey && $0.key != failedKey }
        switch kind {
        case .deadIntermediatePrimary:
            let siblings = failed.sourceKey.map { source in instances.filter { $0.sourceKey == source } } ?? []
            let source = failed.sourceKey.flatMap { source in instances.first { $0.key == source } }
            do {
                let plan = try RecoveryPlan.deadIntermediatePrimary(
                    failed: failed, replicas: replicas, siblings: siblings, source: source,
                    constraints: settings.constraints, pollSeconds: pollSeconds,
                    reasonableCheckSeconds: reasonableCheckSeconds, options: settings.planOptions)
                outcome.plan = plan
                outcome.audit += plan.notes
            } catch {
                outcome.refusal = error.message
            }
            return outcome
        case .deadPrimary:
            break
        }

        let builtIn = CandidateRanking.rank(
            failed: failed, replicas: replicas, constraints: settings.constraints, pollSeconds: pollSeconds,
            reasonableCheckSeconds: reasonableCheckSeconds)
        outcome.builtInRanking = builtIn
        outcome.audit.append(
            "built-in ranking: " + (builtIn.ranked.isEmpty ? "no eligible replica" : builtIn.ranked.map(\.key.description).joined(separator: ", ")))
        for (key, reason) in builtIn.excluded.sorted(by: { $0.key < $1.key }) {
            outcome.audit.append("\(key) may not be promoted: \(reason)")
        }

        var ranking = builtIn
        if forcedCandidate != nil {
            if policy.policy?.defines(.rank) == true {
                outcome.audit.append("the operator named the candidate: the policy's rank is not consulted")
            }
        } else if !builtIn.ranked.isEmpty {
            switch policyRank(failed: failed, builtIn: builtIn, instances: instances, downtimed: downtimed, context: context) {
            case .keep(let lines):
                outcome.audit += lines
            case .reorder(let order, let reasons, let lines):
                outcome.audit += lines
                outcome.policyOrder = order
                outcome.policyReasons = reasons
                ranking = Self.apply(order, reasons: reasons, to: builtIn)
                outcome.audit.append(
                    "policy ranking: " + (order.isEmpty ? "every candidate excluded" : order.map(\.description).joined(separator: ", ")))
                for (key, reason) in reasons.sorted(by: { $0.key < $1.key }) {
                    outcome.audit.append("policy on \(key): \(reason)")
                }
            case .refuse(let reason, let lines):
                outcome.audit += lines + [reason]
                outcome.refusal = reason
                return outcome
            }
        }
        do {
            let plan = try RecoveryPlan.deadPrimary(
                failed: failed, replicas: replicas, ranking: ranking, forcedCandidate: forcedCandidate,
                options: settings.planOptions)
            outcome.plan = plan
            outcome.audit += plan.notes
        } catch {
            outcome.refusal = error.message
        }
        return outcome
    }

    enum RankResult {
        case keep([String])
        case reorder([InstanceKey], [InstanceKey: String], [String])
        case refuse(String, [String])
    }

    func policyRank(
        failed: Instance, builtIn: CandidateRanking.Result, instances: [Instance], downtimed: Set<InstanceKey>,
        context: PolicyContext
    ) -> RankResult {
        guard let policy = usablePolicy(for: .rank) else {
            let verdict = policyUnavailable(.rank)
            return verdict.proceed ? .keep(verdict.audit) : .refuse(verdict.reason ?? "policy unavailable", verdict.audit)
        }
        let byKey = Dictionary(instances.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let candidates = builtIn.ranked.compactMap { byKey[$0.key] }.map {
            PolicyInstance($0, isDowntimed: downtimed.contains($0.key))
        }
        do {
            let outcome = try policy.rank(
                failed: PolicyInstance(failed, isDowntimed: downtimed.contains(failed.key)), candidates: candidates,
                context: context)
            let lines = logLines(outcome.logLines, .rank)
            switch outcome.value {
            case .ranked(let order, let reasons): return .reorder(order, reasons, lines)
            case .veto(let reason): return .refuse("the policy vetoed the recovery: \(reason)", lines)
            }
        } catch {
            let verdict = policyFailed(.rank, error)
            return verdict.proceed ? .keep(verdict.audit) : .refuse(verdict.reason ?? "\(error)", verdict.audit)
        }
    }

    /// The built-in ranking narrowed and reordered by the policy: candidates it left out become excluded.
    static func apply(
        _ order: [InstanceKey], reasons: [InstanceKey: String], to builtIn: CandidateRanking.Result
    ) -> CandidateRanking.Result {
        var result = builtIn
        let byKey = Dictionary(builtIn.ranked.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        result.ranked = order.compactMap { byKey[$0] }
        for ranked in builtIn.ranked where !order.contains(ranked.key) {
            result.excluded[ranked.key] = "left out by the policy" + (reasons[ranked.key].map { ": \($0)" } ?? "")
        }
        return result
    }

    // MARK: - pre and post failover

    /// The policy's `pre_failover(failed, candidate, context)`: `false` aborts.
    public func preFailover(
        plan: RecoveryPlan, instances: [Instance], downtimed: Set<InstanceKey>, context: PolicyContext
    ) -> Verdict {
        guard let policy = usablePolicy(for: .preFailover) else { return policyUnavailable(.preFailover) }
        guard let failed = instances.first(where: { $0.key == plan.failed }),
            let successor = instances.first(where: { $0.key == plan.successor })
        else { return Verdict(proceed: true, reason: nil, audit: []) }
        do {
            let outcome = try policy.preFailover(
                failed: PolicyInstance(failed, isDowntimed: downtimed.contains(failed.key)),
                candidate: PolicyInstance(successor, isDowntimed: downtimed.contains(successor.key)), context: context)
            let lines = logLines(outcome.logLines, .preFailover)
            if outcome.value.proceed { return Verdict(proceed: true, reason: outcome.value.reason, audit: lines) }
            let reason = "the policy's pre_failover aborted the recovery: \(outcome.value.reason ?? "no reason given")"
            return Verdict(proceed: false, reason: reason, audit: lines + [reason])
        } catch {
            return policyFailed(.preFailover, error)
        }
    }

    /// The policy's `post_failover(failed, successor, context)`: informational.
    public func postFailover(
        failed: Instance, successor: Instance, downtimed: Set<InstanceKey>, context: PolicyContext
    ) -> [String] {
        guard let policy = policy.policy, policy.defines(.postFailover) else { return [] }
        do {
            let outcome = try policy.postFailover(
                failed: PolicyInstance(failed, isDowntimed: downtimed.contains(failed.key)),
                successor: PolicyInstance(successor, isDowntimed: downtimed.contains(successor.key)), context: context)
            return logLines(outcome.logLines, .postFailover)
        } catch {
            return ["policy post_failover failed: \(error)"]
        }
    }

    // MARK: - policy failures

    /// The policy when it is loaded and defines `function`; `nil` otherwise (see `policyUnavailable`).
    func usablePolicy(for function: PolicyFunction) -> Policy? {
        guard let policy = policy.policy, policy.defines(function) else { return nil }
        return policy
    }

    /// No usable policy for `function`: fine when there is none or it does not define the function; a policy that
    /// failed to load falls back to `PolicyFailureMode`.
    func policyUnavailable(_ function: PolicyFunction) -> Verdict {
        guard let error = policy.loadError else { return Verdict(proceed: true, reason: nil, audit: []) }
        return failureMode("\(function.rawValue): \(error)")
    }

    func policyFailed(_ function: PolicyFunction, _ error: PolicyError) -> Verdict {
        var verdict = failureMode("policy \(function.rawValue) failed: \(error)")
        verdict.audit = error.logLines.map { "policy \(function.rawValue) log: \($0)" } + verdict.audit
        return verdict
    }

    func failureMode(_ problem: String) -> Verdict {
        switch settings.policyFailureMode {
        case .builtInRules:
            return Verdict(proceed: true, reason: nil, audit: ["\(problem); PolicyFailureMode builtin: the built-in rules decide"])
        case .abort:
            let reason = "\(problem); PolicyFailureMode abort: no recovery"
            return Verdict(proceed: false, reason: reason, audit: [reason])
        }
    }

    func logLines(_ lines: [PolicyLogLine], _ function: PolicyFunction) -> [String] {
        lines.map { "policy \(function.rawValue) log: \($0)" }
    }
}
