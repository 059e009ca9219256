/// One configured hook: an orchestrator command string run by a shell, or an argv run without one.
public struct HookSpec: Sendable, Hashable, CustomStringConvertible {
    public enum Command: Sendable, Hashable {
        /// A command string for `<shell> -c`; every substituted placeholder value is quoted for its context.
        case shell(String)
        /// An executable (absolute path, or a name looked up in `PATH`) and its arguments; placeholders are
        /// substituted in each argument and no shell is involved.
        case arguments([String])
    }

    public var command: Command
    /// A name for logs and the audit; defaults to the command as configured (before substitution).
    public var name: String?
    /// `nil` uses the runner's default (`HookTimeoutSeconds`).
    public var timeout: Duration?
    /// Extra environment variables; they override the `ORC_*`/`BATON_*` ones of the same name.
    public var environment: [String: String]
    /// Post phases only: launch without waiting. Pre phases always wait.
    public var isAsync: Bool

    public init(
        _ command: Command, name: String? = nil, timeout: Duration? = nil, environment: [String: String] = [:],
        isAsync: Bool = false
    ) {
        self.command = command
        self.name = name
        self.timeout = timeout
        self.environment = environment
        self.isAsync = isAsync
    }

    /// An orchestrator command string; a trailing `&` means asynchronous, as in orchestrator, and is removed.
    public static func orchestrator(_ text: String) -> HookSpec {
        let trimmed = text.trimmingTrailingWhitespace
        if trimmed.hasSuffix("&"), !trimmed.hasSuffix("&&"), !trimmed.hasSuffix("\\&") {
            return HookSpec(.shell(String(trimmed.dropLast()).trimmingTrailingWhitespace), isAsync: true)
        }
        return HookSpec(.shell(text))
    }

    /// What to log: the name, or the command as configured. Never contains substituted values or environment values.
    public var description: String {
        if let name { return name }
        switch command {
        case .shell(let text): return text
        case .arguments(let argv): return argv.joined(separator: " ")
        }
    }

    /// Problems that do not stop the configuration from loading but that an operator should know about, and the
    /// errors that make this hook impossible to run safely.
    /// - Parameter phase: when given, also checks what the phase allows (async, successor placeholders).
    public func validate(for phase: HookPhase? = nil) -> [HookIssue] {
        var issues: [HookIssue] = []
        let known = Set(HookContext.placeholderNames)
        let texts: [String]
        switch command {
        case .shell(let text):
            texts = [text]
            if text.allSatisfy(\.isWhitespace) { issues.append(.error("the command is empty")) }
            for problem in ShellTemplate(parsing: text, placeholders: known).problems {
                issues.append(.error("cannot quote safely: \(problem)"))
            }
        case .arguments(let argv):
            texts = argv
            if argv.first?.isEmpty ?? true { issues.append(.error("the command needs an executable")) }
            if argv.contains(where: { $0.contains("\0") }) { issues.append(.error("an argument contains NUL")) }
        }
        var reported: Set<String> = []
        for name in texts.flatMap(PlaceholderText.names(in:)) where reported.insert(name).inserted {
            if !known.contains(name) {
                issues.append(.warning("unknown placeholder {\(name)} is passed on literally"))
            } else if let phase, !phase.hasSuccessor, HookContext.successorPlaceholderNames.contains(name) {
                issues.append(.warning(
                    "{\(name)} has no value in \(phase.configurationKey) (no successor yet) and is passed on literally"))
            }
        }
        if let timeout, timeout <= .zero { issues.append(.error("the timeout must be positive")) }
        for key in environment.keys.sorted() where key.isEmpty || key.contains("=") || key.contains("\0") {
            issues.append(.error("invalid environment variable name \"\(key)\""))
        }
        if environment.values.contains(where: { $0.contains("\0") }) {
            issues.append(.error("an environment value contains NUL"))
        }
        if let phase, phase.abortsOnFailure, isAsync {
            issues.append(.warning(
                "asynchronous hooks are not supported in \(phase.configurationKey); this one is waited for and its failure aborts"))
        }
        return issues
    }
}

/// A configuration problem with one hook.
public struct HookIssue: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning }
    public var severity: Severity
    /// Where, relative to the hook (`TimeoutSeconds`), or empty for the hook as a whole.
    public var field: String
    public var message: String

    public init(severity: Severity, field: String = "", message: String) {
        self.severity = severity
        self.field = field
        self.message = message
    }

    static func error(_ message: String, field: String = "") -> HookIssue {
        HookIssue(severity: .error, field: field, message: message)
    }
    static func warning(_ message: String, field: String = "") -> HookIssue {
        HookIssue(severity: .warning, field: field, message: message)
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

extension String {
    var trimmingTrailingWhitespace: String {
        var text = self[...]
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return String(text)
    }
}
