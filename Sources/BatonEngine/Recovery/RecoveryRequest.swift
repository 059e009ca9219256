import BatonCore
import Foundation

/// One recovery to perform: the analysis that calls for it and how it was asked for.
public struct RecoveryRequest: Sendable {
    /// The verdict (for manual operations, possibly forged: `force-master-failover` presents the live primary as
    /// `DeadMaster`, as orchestrator does).
    public var analysis: ReplicationAnalysis
    /// Empty for an automatic recovery; else `recover`, `recover-lite`, `force-master-failover`,
    /// `graceful-master-takeover`, … (hooks see it as `{command}`).
    public var command: String
    /// The operator's candidate; the policy's `rank` does not run then.
    public var forcedCandidate: InstanceKey?
    /// `recover-lite`: no hooks run.
    public var skipHooks: Bool
    /// Audit lines decided before registration (the policy's filter).
    public var preamble: [String]
    /// Set for a graceful takeover: the live primary is demoted first and made a replica of the successor after.
    public var graceful: GracefulTakeover?

    /// What a graceful takeover adds to the dead-primary recovery.
    public struct GracefulTakeover: Sendable {
        public var designated: InstanceKey
        /// `graceful-master-takeover-auto` starts replication on the demoted primary; the plain one leaves it
        /// configured but stopped (as orchestrator does).
        public var startReplication: Bool
        public var replicationUser: String
        public var replicationPassword: Secret
    }

    public init(
        analysis: ReplicationAnalysis, command: String = "", forcedCandidate: InstanceKey? = nil, skipHooks: Bool = false,
        preamble: [String] = [], graceful: GracefulTakeover? = nil
    ) {
        self.graceful = graceful
        self.analysis = analysis
        self.command = command
        self.forcedCandidate = forcedCandidate
        self.skipHooks = skipHooks
        self.preamble = preamble
    }

    public var isManual: Bool { !command.isEmpty }

    /// The plan family for the analysis code, or `nil` when Baton has no recovery for it.
    public var planKind: RecoveryPlan.Kind? {
        Self.planKind(for: analysis.analysis)
    }

    public static func planKind(for code: AnalysisCode) -> RecoveryPlan.Kind? {
        RecoveryPlan.Kind(recovering: code)
    }
}

/// Why an operation did not start or did not change anything.
public struct RecoveryRefusal: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The recovery that was registered and resolved as not attempted, when it got that far.
    public var recovery: RecoveryRecordSummary?

    public init(_ message: String, recovery: RecoveryRecordSummary? = nil) {
        self.message = message
        self.recovery = recovery
    }

    public var description: String { message }
}

/// The identifiers of a stored recovery, for answers that point at it.
public struct RecoveryRecordSummary: Sendable, Equatable {
    public var id: Int64
    public var uid: String
}
