import BatonCore

/// A decision's answer together with what the policy logged and how long it took, for the audit.
public struct PolicyOutcome<Value: Sendable>: Sendable {
    public var value: Value
    public var logLines: [PolicyLogLine]
    /// Log lines beyond `PolicyLimits.maxLogLines`, counted but not kept.
    public var droppedLogLines: Int
    /// From creating the Lua state to reading the answer.
    public var duration: Duration

    public init(value: Value, logLines: [PolicyLogLine] = [], droppedLogLines: Int = 0, duration: Duration = .zero) {
        self.value = value
        self.logLines = logLines
        self.droppedLogLines = droppedLogLines
        self.duration = duration
    }
}

/// The answer of `filter(analysis)`: may this cluster be recovered automatically.
public struct FilterDecision: Sendable, Hashable {
    public var allowed: Bool
    public var reason: String?

    public init(allowed: Bool, reason: String? = nil) {
        self.allowed = allowed
        self.reason = reason
    }
}

/// The answer of `rank(failed, candidates, context)`.
public enum RankDecision: Sendable, Hashable {
    /// The candidates to consider, best first; a candidate left out is excluded. `reasons` holds the policy's
    /// explanation per candidate (possibly for excluded ones too).
    case ranked([InstanceKey], reasons: [InstanceKey: String])
    /// The policy refuses the whole recovery.
    case veto(reason: String)
}

/// The answer of `pre_failover(failed, candidate, context)`.
public struct PreFailoverDecision: Sendable, Hashable {
    /// `false` aborts the recovery before any server is changed.
    public var proceed: Bool
    public var reason: String?

    public init(proceed: Bool, reason: String? = nil) {
        self.proceed = proceed
        self.reason = reason
    }
}
