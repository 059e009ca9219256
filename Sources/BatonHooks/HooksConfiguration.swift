import BatonCore
import Foundation

/// The hook settings of Baton's configuration file, with orchestrator's keys.
public struct HooksConfiguration: Sendable, Hashable {
    /// The hooks of each phase, in configuration order; phases without hooks are absent.
    public var hooks: [HookPhase: [HookSpec]]
    /// `ProcessesShellCommand`: the shell that runs command strings as `<shell> -c <script>`.
    public var shellCommand: String
    /// `HookTimeoutSeconds`: the timeout of hooks that do not set their own.
    public var defaultTimeout: Duration

    public static let defaultShellCommand = "bash"
    public static let defaultHookTimeout: Duration = .seconds(60)

    public init(
        hooks: [HookPhase: [HookSpec]] = [:], shellCommand: String = defaultShellCommand,
        defaultTimeout: Duration = defaultHookTimeout
    ) {
        self.hooks = hooks
        self.shellCommand = shellCommand
        self.defaultTimeout = defaultTimeout
    }

    /// The hooks of `phase`, in configuration order.
    public subscript(phase: HookPhase) -> [HookSpec] { hooks[phase] ?? [] }

    /// A problem found while reading the configuration, naming its key
    /// (`PreFailoverProcesses[1].TimeoutSeconds: expected a positive number …`).
    public struct Issue: Sendable, Hashable, CustomStringConvertible {
        public var severity: HookIssue.Severity
        public var key: String
        public var message: String

        public var description: String { key.isEmpty ? message : "\(key): \(message)" }
    }

    /// The settings read from the whole configuration file, and what is wrong with them.
    public struct Loaded: Sendable {
        /// The usable settings: a hook with an error is left out, a bad global key keeps its default.
        public var configuration: HooksConfiguration
        public var issues: [Issue]

        public var errors: [Issue] { issues.filter { $0.severity == .error } }
        public var warnings: [Issue] { issues.filter { $0.severity == .warning } }
    }

    /// Reads the hook keys from the JSON of the whole configuration file; other keys are ignored.
    public static func load(from data: Data) -> Loaded {
        var configuration = HooksConfiguration()
        var issues: [Issue] = []
        let root: [String: JSONValue]
        do {
            guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: data) else {
                return Loaded(configuration: configuration,
                    issues: [Issue(severity: .error, key: "", message: "the configuration is not a JSON object")])
            }
            root = object
        } catch {
            return Loaded(configuration: configuration,
                issues: [Issue(severity: .error, key: "", message: "the configuration is not valid JSON: \(error)")])
        }

        switch root["ProcessesShellCommand"] {
        case nil, .null?: break
        case .string(let shell)? where !shell.allSatisfy(\.isWhitespace) && !shell.contains("\0"):
            configuration.shellCommand = shell
        case let other?:
            issues.append(Issue(severity: .error, key: "ProcessesShellCommand",
                message: "expected the name or path of a shell, found \(other.typeName)"))
        }
        switch root["HookTimeoutSeconds"] {
        case nil, .null?: break
        case .number(let seconds)? where seconds.isFinite && seconds > 0 && seconds <= 86_400:
            configuration.defaultTimeout = .milliseconds(Int64((seconds * 1000).rounded(.up)))
        case let other?:
            issues.append(Issue(severity: .error, key: "HookTimeoutSeconds",
                message: "expected a positive number of seconds (at most 86400), found \(other.typeName)"))
        }

        for phase in HookPhase.allCases {
            let key = phase.configurationKey
            switch root[key] {
            case nil, .null?:
                continue
            case .array(let elements)?:
                var specs: [HookSpec] = []
                for (index, element) in elements.enumerated() {
                    let prefix = "\(key)[\(index)]"
                    let (spec, parseIssues) = HookSpec.parse(element)
                    let validation = spec?.validate(for: phase) ?? []
                    for issue in parseIssues + validation {
                        issues.append(Issue(severity: issue.severity,
                            key: issue.field.isEmpty ? prefix : "\(prefix).\(issue.field)", message: issue.message))
                    }
                    if let spec, !validation.contains(where: { $0.severity == .error }) { specs.append(spec) }
                }
                if !specs.isEmpty { configuration.hooks[phase] = specs }
            case let other?:
                issues.append(Issue(severity: .error, key: key,
                    message: "expected an array of command strings or hook objects, found \(other.typeName)"))
            }
        }
        if root["PostTakeMasterProcesses"].map({ $0 != .null && $0 != .array([]) }) ?? false {
            issues.append(Issue(severity: .warning, key: "PostTakeMasterProcesses",
                message: "not supported by Baton; these hooks never run"))
        }
        return Loaded(configuration: configuration, issues: issues)
    }
}
