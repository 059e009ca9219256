import BatonCore

extension Policy {
    /// `filter(analysis)`: whether this cluster may be recovered automatically.
    /// - Throws: `PolicyError` (`missingFunction` when the policy has no `filter`).
    public func filter(_ analysis: PolicyAnalysis) throws(PolicyError) -> PolicyOutcome<FilterDecision> {
        try run(.filter, [analysis.luaValue]) { results, helper throws(PolicyError) in
            switch results.first ?? .null {
            case .boolean(true): return FilterDecision(allowed: true, reason: try reason(results, .filter, helper))
            case .boolean(false): return FilterDecision(allowed: false, reason: try reason(results, .filter, helper))
            case let other:
                throw .invalidAnswer(.filter, "filter must return true, or false and a reason; it returned \(other.typeName)")
            }
        }
    }

    /// `rank(failed, candidates, context)`: the candidates in preferred order (`candidates` arrive in Baton's
    /// built-in order), or a veto.
    /// - Throws: `PolicyError.invalidAnswer` for unknown, duplicate or non-string keys, among others.
    public func rank(
        failed: PolicyInstance, candidates: [PolicyInstance], context: PolicyContext
    ) throws(PolicyError) -> PolicyOutcome<RankDecision> {
        let known = Dictionary(candidates.map { ($0.key.description, $0.key) }, uniquingKeysWith: { first, _ in first })
        let arguments: [LuaInput] = [failed.luaValue, .array(candidates.map(\.luaValue)), context.luaValue]
        return try run(.rank, arguments) { results, helper throws(PolicyError) in
            let first = results.first ?? .null
            if case .null = first {
                let reason = try reason(results, .rank, helper) ?? "the policy vetoed the recovery without a reason"
                return .veto(reason: reason)
            }
            guard case .table(let table) = first else {
                throw .invalidAnswer(.rank, "rank must return an array of candidate keys, or nil and a reason; it returned \(first.typeName)")
            }
            let entries: [LuaResult]
            switch table.sequence() {
            case .success(let values): entries = values
            case .failure(.tooLarge): throw .invalidAnswer(.rank, "rank returned more than \(LuaSandbox.maxTableEntries) entries")
            case .failure(.nonSequenceKey(let key)):
                throw .invalidAnswer(.rank, "rank must return an array (keys 1…n); it has the key \(Self.describe(key))")
            }
            var order: [InstanceKey] = []
            var seen: Set<String> = []
            for (position, entry) in entries.enumerated() {
                guard case .string(let text) = entry else {
                    throw .invalidAnswer(.rank, "rank entry \(position + 1) is a \(entry.typeName), not a \"host:port\" string")
                }
                guard let key = known[text] else {
                    throw .invalidAnswer(.rank, "rank entry \(position + 1) '\(text)' is not one of the candidates")
                }
                guard seen.insert(text).inserted else {
                    throw .invalidAnswer(.rank, "rank entry \(position + 1) '\(text)' appears more than once")
                }
                order.append(key)
            }
            var reasons: [InstanceKey: String] = [:]
            switch results.count > 1 ? results[1] : .null {
            case .null: break
            case .table(let table):
                guard !table.truncated else { throw .invalidAnswer(.rank, "rank's reasons table is too large") }
                for (key, value) in table.entries {
                    guard case .string(let text) = key, let candidate = known[text] else {
                        throw .invalidAnswer(.rank, "rank's reasons are keyed by candidate key; \(Self.describe(key)) is not a candidate")
                    }
                    guard case .string(let reason) = value else {
                        throw .invalidAnswer(.rank, "rank's reason for '\(text)' is a \(value.typeName), not a string")
                    }
                    reasons[candidate] = helper.truncated(reason)
                }
            case let other:
                throw .invalidAnswer(.rank, "rank's second result must be a table of reasons keyed by candidate; it is a \(other.typeName)")
            }
            return .ranked(order, reasons: reasons)
        }
    }

    /// `on_detection(analysis)`: informational; only errors matter.
    public func onDetection(_ analysis: PolicyAnalysis) throws(PolicyError) -> PolicyOutcome<Void> {
        try run(.onDetection, [analysis.luaValue]) { _, _ in () }
    }

    /// `pre_failover(failed, candidate, context)`: returning `false, reason` aborts the recovery; `true` or nothing
    /// lets it proceed.
    public func preFailover(
        failed: PolicyInstance, candidate: PolicyInstance, context: PolicyContext
    ) throws(PolicyError) -> PolicyOutcome<PreFailoverDecision> {
        try run(.preFailover, [failed.luaValue, candidate.luaValue, context.luaValue]) { results, helper throws(PolicyError) in
            switch results.first ?? .null {
            case .null, .boolean(true): return PreFailoverDecision(proceed: true, reason: try reason(results, .preFailover, helper))
            case .boolean(false):
                return PreFailoverDecision(
                    proceed: false,
                    reason: try reason(results, .preFailover, helper) ?? "pre_failover aborted the recovery without a reason")
            case let other:
                throw .invalidAnswer(.preFailover, "pre_failover must return true/nothing, or false and a reason; it returned \(other.typeName)")
            }
        }
    }

    /// `post_failover(failed, successor, context)`: informational; only errors matter.
    public func postFailover(
        failed: PolicyInstance, successor: PolicyInstance, context: PolicyContext
    ) throws(PolicyError) -> PolicyOutcome<Void> {
        try run(.postFailover, [failed.luaValue, successor.luaValue, context.luaValue]) { _, _ in () }
    }

    private static func describe(_ value: LuaResult) -> String {
        switch value {
        case .string(let text): "'\(text)'"
        case .integer(let number): String(number)
        case .number(let number): String(number)
        case .boolean(let flag): String(flag)
        default: "a \(value.typeName)"
        }
    }
}

/// The optional second result, a reason string.
private func reason(
    _ results: [LuaResult], _ function: PolicyFunction, _ helper: PolicyHelperContext
) throws(PolicyError) -> String? {
    switch results.count > 1 ? results[1] : .null {
    case .null: return nil
    case .string(let text): return helper.truncated(text)
    case let other: throw .invalidAnswer(function, "\(function.rawValue)'s reason must be a string; it is a \(other.typeName)")
    }
}
