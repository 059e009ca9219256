import Foundation
import Logging

/// Runs hooks as real processes: placeholders substituted (and quoted for the shell), the recovery's facts in the
/// environment and as JSON on stdin, output captured bounded, and a timeout after which the hook's whole process
/// group is killed.
public struct HookRunner: Sendable {
    public struct Settings: Sendable {
        /// `ProcessesShellCommand`: runs command strings as `<shell> -c <script>`.
        public var shellCommand: String
        /// `HookTimeoutSeconds`: for hooks without their own timeout.
        public var defaultTimeout: Duration
        /// Between SIGTERM and SIGKILL to the process group once a hook timed out.
        public var killGracePeriod: Duration
        /// Bytes of output kept from the start, and as many from the end.
        public var outputLimit: Int
        /// The environment every hook starts from, before the `ORC_*`/`BATON_*` variables and its own.
        /// Defaults to a few variables of Baton's own environment (`HookRunner.inheritedVariableNames`), never all
        /// of it: Baton's environment may hold credentials.
        public var baseEnvironment: [String: String]

        public init(
            shellCommand: String = HooksConfiguration.defaultShellCommand,
            defaultTimeout: Duration = HooksConfiguration.defaultHookTimeout,
            killGracePeriod: Duration = .seconds(5), outputLimit: Int = 64 * 1024,
            baseEnvironment: [String: String] = HookRunner.inheritedEnvironment()
        ) {
            self.shellCommand = shellCommand
            self.defaultTimeout = defaultTimeout
            self.killGracePeriod = killGracePeriod
            self.outputLimit = outputLimit
            self.baseEnvironment = baseEnvironment
        }
    }

    /// The variables of Baton's environment that hooks inherit.
    public static let inheritedVariableNames = [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR",
    ]

    /// `inheritedVariableNames` taken from this process's environment (with a standard `PATH` if it has none).
    public static func inheritedEnvironment() -> [String: String] {
        let current = ProcessInfo.processInfo.environment
        var environment = current.filter { inheritedVariableNames.contains($0.key) }
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
        return environment
    }

    public var settings: Settings
    public var logger: Logger
    /// Receives the result of every asynchronous post hook when it finishes (they are also logged).
    public var onAsyncResult: (@Sendable (HookResult) -> Void)?

    public init(settings: Settings = Settings(), logger: Logger, onAsyncResult: (@Sendable (HookResult) -> Void)? = nil) {
        self.settings = settings
        self.logger = logger
        self.onAsyncResult = onAsyncResult
    }

    /// A runner with the shell and default timeout of `configuration`.
    public init(
        configuration: HooksConfiguration, logger: Logger, onAsyncResult: (@Sendable (HookResult) -> Void)? = nil
    ) {
        self.init(
            settings: Settings(shellCommand: configuration.shellCommand, defaultTimeout: configuration.defaultTimeout),
            logger: logger, onAsyncResult: onAsyncResult)
    }

    /// Runs one hook and waits for it (whatever its `isAsync`). Never throws: a hook that cannot start is a result.
    ///
    /// Cancelling the calling task kills the hook's process group, like a timeout.
    public func run(_ hook: HookSpec, phase: HookPhase? = nil, context: HookContext) async -> HookResult {
        var context = context
        context.phase = phase
        var metadata: Logger.Metadata = [
            "baton.hook": "\(hook.description)", "baton.recovery.id": "\(context.recoveryUID)",
        ]
        if let phase { metadata["baton.hook.phase"] = "\(phase.rawValue)" }

        let result: HookResult
        switch prepare(hook, context: context) {
        case .failure(let failure):
            result = HookResult(hook: hook.description, phase: phase, termination: .notStarted(failure.message),
                duration: .zero)
        case .success(let request):
            logger.info("Running hook", metadata: metadata)
            let outcome = await HookProcess.run(request)
            result = HookResult(hook: hook.description, phase: phase, termination: outcome.termination,
                timedOut: outcome.timedOut, cancelled: outcome.cancelled, duration: outcome.duration,
                output: outcome.output)
        }
        metadata["baton.hook.result"] = "\(result.summary)"
        metadata["baton.hook.duration"] = "\(result.duration.secondsText)"
        if result.succeeded {
            logger.info("Hook finished", metadata: metadata)
        } else {
            metadata["baton.hook.output"] = "\(result.output.text.suffix(2048))"
            logger.warning("Hook failed", metadata: metadata)
        }
        return result
    }

    /// Runs the hooks of one phase in order.
    ///
    /// Pre phases wait for every hook and stop at the first that does not exit 0 within its timeout (the result is
    /// then aborted, and the operation must not go on). Post phases run every hook whatever the others did; async
    /// hooks are launched without waiting (still with their timeout) and report to `onAsyncResult`. If the calling
    /// task is cancelled, no further hook starts (a pre phase is then aborted).
    public func runPhase(_ hooks: [HookSpec], phase: HookPhase, context: HookContext) async -> PhaseResult {
        var result = PhaseResult(phase: phase, results: [], launchedAsynchronously: [], notRun: [], abortReason: nil)
        for (index, hook) in hooks.enumerated() {
            let label = "\(phase.configurationKey)[\(index)] (\(hook.description))"
            if Task.isCancelled {
                result.notRun = hooks[index...].map(\.description)
                if phase.abortsOnFailure { result.abortReason = "cancelled before \(label) ran" }
                break
            }
            if hook.isAsync && !phase.abortsOnFailure {
                let runner = self
                Task {
                    let outcome = await runner.run(hook, phase: phase, context: context)
                    runner.onAsyncResult?(outcome)
                }
                result.launchedAsynchronously.append(hook.description)
                continue
            }
            let outcome = await run(hook, phase: phase, context: context)
            result.results.append(outcome)
            if phase.abortsOnFailure && !outcome.succeeded {
                result.abortReason = "\(label) \(outcome.summary)"
                result.notRun = hooks[(index + 1)...].map(\.description)
                logger.error("Hook failed; the operation is aborted", metadata: [
                    "baton.hook.phase": "\(phase.rawValue)", "baton.recovery.id": "\(context.recoveryUID)",
                    "baton.hook.abort": "\(result.abortReason ?? "")",
                ])
                break
            }
        }
        return result
    }

    /// The longest environment value passed, in bytes; longer ones (a huge failure description) are cut.
    public static let environmentValueLimit = 32 * 1024

    static func truncated(_ value: String, toUTF8Bytes limit: Int) -> String {
        guard value.utf8.count > limit else { return value }
        var result = ""
        var count = 0
        for character in value {
            count += character.utf8.count
            if count > limit { break }
            result.append(character)
        }
        return result
    }

    /// The process to start for `hook`, or why it must not start.
    func prepare(_ hook: HookSpec, context: HookContext) -> Result<HookProcess.Request, HookProcess.Failure> {
        let values = context.placeholderValues
        let arguments: [String]
        let executable: String
        switch hook.command {
        case .shell(let text):
            let template = ShellTemplate(parsing: text, placeholders: Set(HookContext.placeholderNames))
            guard template.problems.isEmpty else {
                return .failure(.init(message: "cannot quote safely: " + template.problems.joined(separator: "; ")))
            }
            executable = settings.shellCommand
            arguments = [settings.shellCommand, "-c", template.render(values: values)]
        case .arguments(let argv):
            guard let first = argv.first, !first.isEmpty else { return .failure(.init(message: "no executable")) }
            executable = PlaceholderText.substitute(first, values: values)
            arguments = argv.map { PlaceholderText.substitute($0, values: values) }
        }
        guard !arguments.contains(where: { $0.contains("\0") }) else {
            return .failure(.init(message: "an argument contains NUL"))
        }

        let timeout = hook.timeout ?? settings.defaultTimeout
        var environment = settings.baseEnvironment.filter { !$0.key.hasPrefix("ORC_") && !$0.key.hasPrefix("BATON_") }
        environment.merge(context.environment(timeout: timeout)) { $1 }
        environment.merge(hook.environment) { $1 }
        // The kernel refuses a single environment string over 128 KiB (E2BIG); the stdin document is never cut.
        environment = environment.filter { !$0.key.isEmpty && !$0.key.contains("=") }
            .mapValues { Self.truncated(ShellQuoting.removingNUL($0), toUTF8Bytes: Self.environmentValueLimit) }

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let document: [UInt8]
        do {
            document = Array(try encoder.encode(context)) + [UInt8(ascii: "\n")]
        } catch {
            return .failure(.init(message: "cannot encode the hook's stdin document: \(error)"))
        }
        return .success(HookProcess.Request(executable: executable, arguments: arguments, environment: environment,
            standardInput: document, timeout: timeout, killGracePeriod: settings.killGracePeriod,
            outputLimit: settings.outputLimit))
    }
}
