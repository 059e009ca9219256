import BatonCore
import Foundation

/// A Lua policy: the source an operator wrote (`PolicyScript`), checked once when loaded and then run in a fresh
/// sandbox for every decision, so nothing one decision does can leak into the next.
///
/// Decisions are synchronous and bounded by `limits`: each returns its answer with the policy's log lines and
/// duration, or throws a `PolicyError` (never crashes). What to do on an error is the caller's
/// `PolicyFailureMode`.
public struct Policy: Sendable {
    /// The file name (or the name given), used in Lua's messages: `name:LINE: message`.
    public let name: String
    public let source: String
    /// SHA-256 of the source, lower-case hex: what the audit records and `status` compares between nodes.
    public let contentHash: String
    /// The policy functions the source defines.
    public let definedFunctions: Set<PolicyFunction>
    public let limits: PolicyLimits

    /// Loads a policy from source text: it must parse as Lua text (bytecode is refused) and its top level must run
    /// within the limits.
    /// - Throws: `PolicyError` with code `loadFailed` (with the line), or the limit that was hit.
    public init(source: String, name: String = "policy.lua", limits: PolicyLimits = PolicyLimits()) throws(PolicyError) {
        self.name = name
        self.source = source
        self.limits = limits
        contentHash = Self.contentHash(of: source)
        let sandbox = LuaSandbox(limits: limits, chunkName: name)
        try sandbox.load(source: source)
        var defined: Set<PolicyFunction> = []
        for function in PolicyFunction.allCases where try sandbox.defines(function) { defined.insert(function) }
        definedFunctions = defined
    }

    /// Loads the policy file at `path`.
    /// - Throws: `PolicyError.loadFailed` when the file cannot be read or is not UTF-8, or as `init(source:)`.
    public init(contentsOfFile path: String, limits: PolicyLimits = PolicyLimits()) throws(PolicyError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PolicyError(code: .loadFailed, message: "cannot read the policy file \(path): \(error)")
        }
        guard let source = String(data: data, encoding: .utf8) else {
            throw PolicyError(code: .loadFailed, message: "the policy file \(path) is not UTF-8 text")
        }
        try self.init(source: source, name: URL(fileURLWithPath: path).lastPathComponent, limits: limits)
    }

    public func defines(_ function: PolicyFunction) -> Bool { definedFunctions.contains(function) }

    /// Runs `function` in a fresh sandbox and interprets its results.
    func run<Value: Sendable>(
        _ function: PolicyFunction, _ arguments: [LuaInput],
        interpret: ([LuaResult], PolicyHelperContext) throws(PolicyError) -> Value
    ) throws(PolicyError) -> PolicyOutcome<Value> {
        let clock = ContinuousClock()
        let start = clock.now
        let sandbox = LuaSandbox(limits: limits, chunkName: name)
        do {
            try sandbox.load(source: source)
            let results = try sandbox.call(function, arguments: arguments)
            let value = try interpret(results, sandbox.helperContext)
            return PolicyOutcome(
                value: value, logLines: sandbox.helperContext.logLines,
                droppedLogLines: sandbox.helperContext.droppedLogLines, duration: start.duration(to: clock.now))
        } catch {
            var error = error
            if error.function == nil { error.function = function.rawValue }
            error.logLines = sandbox.helperContext.logLines
            throw error
        }
    }
}
