import Foundation

/// What a recovery would do if one instance failed now: the answer of `GET /api/what-if/:host/:port` and of
/// `baton policy test`. Nothing in it touched a server.
public struct WhatIfReport: Codable, Sendable, Equatable {
    public struct Candidate: Codable, Sendable, Equatable {
        public var key: InstanceKey
        /// Why it stands where it stands, or why it is excluded.
        public var reason: String

        public init(key: InstanceKey, reason: String) {
            self.key = key
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey {
            case key = "Key", reason = "Reason"
        }
    }

    public struct HookPlan: Codable, Sendable, Equatable {
        public var phase: String
        public var hooks: [String]

        public init(phase: String, hooks: [String]) {
            self.phase = phase
            self.hooks = hooks
        }

        enum CodingKeys: String, CodingKey {
            case phase = "Phase", hooks = "Hooks"
        }
    }

    public var failedInstance: InstanceKey
    /// The analysis code the failure would get (`DeadMaster`, …).
    public var analysis: String
    public var analysisDescription: String
    /// Whether an automatic recovery would start: the gate and the policy's filter both allow it.
    public var recoveryAllowed: Bool
    /// The gate's answer: "allowed", or why not.
    public var gate: String
    /// The policy's filter: "allowed", "not defined", or why not.
    public var policyFilter: String
    public var builtInRanking: [Candidate]
    public var excluded: [Candidate]
    /// The policy's order; `nil` when its `rank` did not run.
    public var policyRanking: [InstanceKey]?
    public var policyReasons: [Candidate]
    public var chosenCandidate: InstanceKey?
    /// The instance that takes over (the candidate, or an intermediate primary's new source).
    public var successor: InstanceKey?
    public var followers: [InstanceKey]
    public var lostReplicas: [Candidate]
    public var steps: [String]
    /// Why no recovery would change anything (veto, no candidate, pre_failover abort, …).
    public var refusal: String?
    public var hooks: [HookPlan]
    public var policyHash: String
    /// Everything the recovery's audit would say about these decisions.
    public var audit: [String]
    /// With Raft: the group's confirmation round, run now (each voter looked again at the server and its replicas).
    /// A live server is refused; the votes say who sees what.
    public var confirmation: FailureConfirmation.Verdict?

    public init(
        failedInstance: InstanceKey, analysis: String, analysisDescription: String, recoveryAllowed: Bool, gate: String,
        policyFilter: String, builtInRanking: [Candidate], excluded: [Candidate], policyRanking: [InstanceKey]?,
        policyReasons: [Candidate], chosenCandidate: InstanceKey?, successor: InstanceKey?, followers: [InstanceKey],
        lostReplicas: [Candidate], steps: [String], refusal: String?, hooks: [HookPlan], policyHash: String,
        audit: [String]
    ) {
        self.failedInstance = failedInstance
        self.analysis = analysis
        self.analysisDescription = analysisDescription
        self.recoveryAllowed = recoveryAllowed
        self.gate = gate
        self.policyFilter = policyFilter
        self.builtInRanking = builtInRanking
        self.excluded = excluded
        self.policyRanking = policyRanking
        self.policyReasons = policyReasons
        self.chosenCandidate = chosenCandidate
        self.successor = successor
        self.followers = followers
        self.lostReplicas = lostReplicas
        self.steps = steps
        self.refusal = refusal
        self.hooks = hooks
        self.policyHash = policyHash
        self.audit = audit
    }

    enum CodingKeys: String, CodingKey {
        case failedInstance = "FailedInstance", analysis = "Analysis", analysisDescription = "AnalysisDescription"
        case recoveryAllowed = "RecoveryAllowed", gate = "Gate", policyFilter = "PolicyFilter"
        case builtInRanking = "BuiltInRanking", excluded = "Excluded", policyRanking = "PolicyRanking"
        case policyReasons = "PolicyReasons", chosenCandidate = "ChosenCandidate", successor = "Successor"
        case followers = "Followers", lostReplicas = "LostReplicas", steps = "Steps", refusal = "Refusal"
        case hooks = "Hooks", policyHash = "PolicyHash", audit = "Audit", confirmation = "Confirmation"
    }

    /// The report for humans, one fact per line.
    public var text: String {
        var lines: [String] = []
        lines.append("failure:          \(failedInstance) → \(analysis)" + (analysisDescription.isEmpty ? "" : " (\(analysisDescription))"))
        lines.append("gate:             \(gate)")
        lines.append("policy filter:    \(policyFilter)")
        lines.append("automatic:        \(recoveryAllowed ? "would recover" : "would NOT recover")")
        if !builtInRanking.isEmpty || !excluded.isEmpty {
            lines.append("built-in ranking: " + (builtInRanking.isEmpty ? "none" : builtInRanking.map(\.key.description).joined(separator: ", ")))
            for candidate in builtInRanking { lines.append("  \(candidate.key): \(candidate.reason)") }
            for candidate in excluded { lines.append("  excluded \(candidate.key): \(candidate.reason)") }
        }
        if let policyRanking {
            lines.append("policy ranking:   " + (policyRanking.isEmpty ? "none" : policyRanking.map(\.description).joined(separator: ", ")))
            for reason in policyReasons { lines.append("  \(reason.key): \(reason.reason)") }
        }
        if let chosenCandidate { lines.append("candidate:        \(chosenCandidate)") }
        if let successor, successor != chosenCandidate { lines.append("new source:       \(successor)") }
        if !followers.isEmpty { lines.append("followers:        " + followers.map(\.description).joined(separator: ", ")) }
        lines.append("lost replicas:    " + (lostReplicas.isEmpty ? "none" : ""))
        for lost in lostReplicas { lines.append("  \(lost.key): \(lost.reason)") }
        if let refusal { lines.append("no recovery:      \(refusal)") }
        if let confirmation {
            lines.append("group:            \(confirmation.decision.rawValue): \(confirmation.reason)")
            for vote in confirmation.votes {
                lines.append(
                    "  \(vote.node): "
                        + (vote.answered ? (vote.reachesFailed == true ? "reaches it" : "cannot reach it") : "no vote")
                        + (vote.sawAlive.map { ", sees it alive (\($0))" } ?? "") + (vote.note.isEmpty ? "" : " (\(vote.note))"))
            }
        }
        if !steps.isEmpty {
            lines.append("steps:")
            for (index, step) in steps.enumerated() { lines.append("  \(index + 1). \(step)") }
        }
        lines.append("hooks:            " + (hooks.isEmpty ? "none" : ""))
        for hook in hooks { lines.append("  \(hook.phase): " + hook.hooks.joined(separator: "; ")) }
        lines.append("policy hash:      \(policyHash.isEmpty ? "no policy" : policyHash)")
        if !audit.isEmpty {
            lines.append("audit:")
            for line in audit { lines.append("  \(line)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
