/// Why a policy could not give an answer. Never a crash: the recovery applies its `PolicyFailureMode` instead and
/// the audit records this error.
public struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code for the audit, metrics and tests.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The source could not be read, did not parse (a bytecode chunk is refused too) or failed while its
        /// top level ran.
        case loadFailed = "load_failed"
        /// A policy function raised an error (Lua's message and traceback are kept).
        case runtimeError = "runtime_error"
        /// The policy ran more Lua instructions than `PolicyLimits.instructions`.
        case instructionLimit = "instruction_limit"
        /// The policy's Lua state needed more memory than `PolicyLimits.memoryBytes`.
        case memoryLimit = "memory_limit"
        /// The decision took longer than `PolicyLimits.timeLimit`.
        case timeLimit = "time_limit"
        /// A function returned something that is not a valid answer (unknown or duplicate candidate, wrong type).
        case invalidAnswer = "invalid_answer"
        /// The decision needs a function the policy does not define.
        case missingFunction = "missing_function"
    }

    public var code: Code
    /// What went wrong, for an operator.
    public var message: String
    /// The policy function being run (`rank`, …); `nil` while loading.
    public var function: String?
    /// The source line, when Lua named one (syntax errors, runtime errors).
    public var line: Int?
    /// Lua's stack traceback, when the error was raised by running code.
    public var traceback: String?
    /// What the policy logged before it failed.
    public var logLines: [PolicyLogLine]

    public init(
        code: Code, message: String, function: String? = nil, line: Int? = nil, traceback: String? = nil,
        logLines: [PolicyLogLine] = []
    ) {
        self.code = code
        self.message = message
        self.function = function
        self.line = line
        self.traceback = traceback
        self.logLines = logLines
    }

    public var description: String {
        let place = function.map { " in \($0)" } ?? ""
        return "policy \(code.rawValue)\(place): \(message)"
    }
}

extension PolicyError {
    static func invalidAnswer(_ function: PolicyFunction, _ message: String) -> PolicyError {
        PolicyError(code: .invalidAnswer, message: message, function: function.rawValue)
    }

    /// The line number in a Lua message such as `policy.lua:12: attempt to call a nil value`.
    static func lineNumber(in message: String, chunkName: String) -> Int? {
        guard message.hasPrefix(chunkName + ":") else { return nil }
        let rest = message.dropFirst(chunkName.count + 1)
        return Int(rest.prefix { $0.isNumber })
    }
}
