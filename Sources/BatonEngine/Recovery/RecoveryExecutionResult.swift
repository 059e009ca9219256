import BatonCore

/// What executing a ``RecoveryPlan`` did, step by step.
public struct RecoveryExecutionResult: Sendable {
    public enum Outcome: String, Sendable, Equatable {
        /// Every step that had to succeed did (some followers may have been lost).
        case succeeded
        /// A step that had to succeed failed (the candidate's), or an intermediate primary's replicas all failed
        /// to move; the remaining steps were not run.
        case failed
        /// `checkStillAllowed` said no before a step that changes a server; nothing more was done.
        case aborted
    }

    public struct StepOutcome: Sendable {
        public enum Status: Sendable, Equatable {
            case ok
            case failed(RecoveryExecutionError)
            /// Not run: its target had already been lost in this recovery.
            case skipped(String)
        }

        public var step: RecoveryStep
        public var status: Status
        public var duration: Duration
    }

    public var outcome: Outcome
    public var steps: [StepOutcome]
    /// The promoted candidate, or the new source of an intermediate primary's replicas; `nil` when the recovery
    /// did not get that far.
    public var successorKey: InstanceKey?
    /// The plan's lost replicas plus followers whose repointing failed, by key.
    public var lostReplicas: [RecoveryPlan.LostReplica]
    /// Followers that were repointed and replicate.
    public var movedReplicas: [InstanceKey]
    /// Every failure, for the audit (orchestrator's `AllErrors`).
    public var errors: [String]

    public var isSuccessful: Bool { outcome == .succeeded }
}

/// Why one step failed.
public struct RecoveryExecutionError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case connectFailed
        case statementFailed
        /// A bounded wait ran out.
        case timeout
        /// The SQL thread stopped (or was not running) before the relay log was applied.
        case sqlThreadStopped
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
