/// What one hook did, for the recovery audit and the log.
public struct HookResult: Sendable, Hashable, CustomStringConvertible {
    public enum Termination: Sendable, Hashable {
        /// The hook's process exited with this status.
        case exited(Int32)
        /// The hook's process was killed by this signal (after a timeout: SIGTERM or SIGKILL from Baton).
        case signaled(Int32)
        /// The hook never ran: the executable is missing or not executable, the command cannot be quoted safely, …
        case notStarted(String)
    }

    /// The hook's `description`: its name or its command as configured, without substituted values.
    public var hook: String
    public var phase: HookPhase?
    public var termination: Termination
    /// The timeout expired and Baton killed the hook's process group.
    public var timedOut: Bool
    /// The calling task was cancelled (for example, leadership was lost) and Baton killed the hook's process group.
    public var cancelled: Bool
    public var duration: Duration
    /// The hook's standard output and standard error, interleaved, bounded.
    public var output: CapturedOutput

    public init(
        hook: String, phase: HookPhase?, termination: Termination, timedOut: Bool = false, cancelled: Bool = false,
        duration: Duration, output: CapturedOutput = CapturedOutput()
    ) {
        self.hook = hook
        self.phase = phase
        self.termination = termination
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.duration = duration
        self.output = output
    }

    /// Exit status 0, within its timeout.
    public var succeeded: Bool { termination == .exited(0) && !timedOut && !cancelled }

    /// One line for the audit: `exited with status 3 after 0.25 s`.
    public var summary: String {
        let after = "after \(duration.secondsText) s"
        let how: String
        switch termination {
        case .exited(let status): how = "exited with status \(status)"
        case .signaled(let signal): how = "was killed by signal \(signal)"
        case .notStarted(let reason): return "did not start: \(reason)"
        }
        if timedOut { return "timed out; its process group was killed; it \(how) \(after)" }
        if cancelled { return "was cancelled; its process group was killed; it \(how) \(after)" }
        return "\(how) \(after)"
    }

    public var description: String { "\(hook): \(summary)" }
}

/// A hook's output: the first and the last `limit` bytes when it printed more than twice that.
public struct CapturedOutput: Sendable, Hashable {
    /// The kept bytes as UTF-8 (invalid sequences replaced); when truncated, a marker line says how much is missing.
    public var text: String
    /// How many bytes the hook wrote in all.
    public var totalBytes: Int
    public var isTruncated: Bool

    public init(text: String = "", totalBytes: Int = 0, isTruncated: Bool = false) {
        self.text = text
        self.totalBytes = totalBytes
        self.isTruncated = isTruncated
    }
}

/// The outcome of one phase.
public struct PhaseResult: Sendable, Hashable {
    public var phase: HookPhase
    /// The hooks that were waited for, in order.
    public var results: [HookResult]
    /// Post phases: the async hooks launched without waiting; their results go to the runner's handler.
    public var launchedAsynchronously: [String]
    /// Hooks that did not run because the phase was aborted or the task was cancelled.
    public var notRun: [String]
    /// Pre phases: why the operation must not go on (`PreFailoverProcesses[1] (…): exited with status 3 …`).
    public var abortReason: String?

    public var isAborted: Bool { abortReason != nil }
}

extension Duration {
    /// Seconds with millisecond precision: `0.250`.
    var secondsText: String {
        let milliseconds = max(0, Int64((self / .milliseconds(1)).rounded()))
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
