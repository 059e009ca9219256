/// What a recovery will do to which server, in order, decided before any server is touched.
///
/// Pure data, built by ``deadPrimary(failed:replicas:ranking:forcedCandidate:options:)`` or
/// ``deadIntermediatePrimary(failed:replicas:siblings:source:constraints:pollSeconds:reasonableCheckSeconds:options:)``
/// and performed by the engine's `RecoveryExecutor`. Every choice carries a reason for the audit.
public struct RecoveryPlan: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// A dead primary: promote one of its replicas, move the others under it.
        case deadPrimary
        /// A dead intermediate primary: move its replicas under a sibling or up to its source.
        case deadIntermediatePrimary

        /// The plan family that recovers `code`, or nil when Baton has no recovery for it.
        public init?(recovering code: AnalysisCode) {
            switch code {
            case .deadMaster, .deadMasterAndSomeReplicas, .deadMasterAndReplicas, .deadMasterWithoutReplicas:
                self = .deadPrimary
            case .deadIntermediateMaster, .deadIntermediateMasterAndSomeReplicas,
                .deadIntermediateMasterWithSingleReplicaFailingToConnect,
                .allIntermediateMasterReplicasFailingToConnectOrDead, .deadIntermediateMasterAndReplicas,
                .deadIntermediateMasterWithSingleReplica:
                self = .deadIntermediatePrimary
            default:
                return nil
            }
        }
    }

    /// A replica the recovery leaves behind, and why.
    public struct LostReplica: Sendable, Equatable {
        public var key: InstanceKey
        public var reason: String

        public init(key: InstanceKey, reason: String) {
            self.key = key
            self.reason = reason
        }
    }

    public var kind: Kind
    public var failed: InstanceKey
    /// The replica to promote (dead primary only).
    public var candidate: InstanceKey?
    /// The instance the recovery hands the failed one's role to: the promoted candidate, or the new source of an
    /// intermediate primary's replicas.
    public var successor: InstanceKey
    /// Replicas that will replicate from the successor, by key.
    public var followers: [InstanceKey]
    /// Replicas that cannot follow the successor, by key; the coordinator may downtime them.
    public var lost: [LostReplica]
    /// Whether a best-effort `read_only=1` on the failed instance is part of the plan.
    public var setsOldPrimaryReadOnly: Bool
    public var steps: [RecoveryStep]
    /// Why the successor was chosen (and what was passed over), for the audit.
    public var notes: [String]

    /// What a failure of a step on `key` means for the recovery.
    public func role(of key: InstanceKey) -> Role {
        if key == candidate { return .candidate }
        if key == failed { return .failedInstance }
        return .follower
    }

    public enum Role: Sendable, Equatable {
        /// A failure fails the recovery: the remaining steps are not run.
        case candidate
        /// Best effort: a failure is recorded, the recovery goes on.
        case failedInstance
        /// A failure makes this replica lost; its remaining steps are skipped, the others go on.
        case follower
    }
}

/// Tunables of plan building (orchestrator's keys where there are any).
public struct RecoveryPlanOptions: Sendable, Equatable {
    /// `ApplyMySQLPromotionAfterMasterFailover`: reset the promoted replica's replication and make it writable,
    /// and set the old primary read-only (best effort).
    public var applyPromotion: Bool
    /// How long each replica may take to apply its relay log once its IO thread is stopped
    /// (orchestrator's `InstanceBulkOperationsWaitTimeoutSeconds`).
    public var relayLogApplyTimeoutSeconds: Int
    /// How long a repointed replica may take to have both replication threads running.
    public var replicationStartTimeoutSeconds: Int

    public init(applyPromotion: Bool = true, relayLogApplyTimeoutSeconds: Int = 10, replicationStartTimeoutSeconds: Int = 10) {
        self.applyPromotion = applyPromotion
        self.relayLogApplyTimeoutSeconds = relayLogApplyTimeoutSeconds
        self.replicationStartTimeoutSeconds = replicationStartTimeoutSeconds
    }
}

/// Why no plan could be built.
public struct RecoveryPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// No replica may be promoted.
        case noCandidate
        /// The operator's candidate is not a replica of the failed primary.
        case candidateNotAReplica
        /// The operator's candidate may not be promoted (banned, invalid last check, …).
        case candidateNotEligible
        /// No sibling nor source can take the intermediate primary's replicas.
        case noNewSource
        /// A server's version is unknown, so the statements to send it cannot be chosen.
        case unknownVersion
        /// A value cannot be put into SQL safely (NUL byte, port out of range).
        case unsafeValue
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// One action of a recovery on one server. Steps that change a server carry the exact statements they send.
public enum RecoveryStep: Sendable, Equatable, CustomStringConvertible {
    /// Stops the IO thread so the relay log stops growing.
    case stopReceiving(InstanceKey, statement: String)
    /// Polls the replication status (bounded) until the SQL thread has applied everything the IO thread received.
    case awaitRelayLogApplied(InstanceKey, statusQuery: String, timeoutSeconds: Int)
    /// Stops replication (both threads).
    case stopReplication(InstanceKey, statement: String)
    /// Turns the candidate into a primary: stop and reset replication, make it writable.
    case promote(InstanceKey, statements: [String])
    /// Points a replica at its new source by GTID and starts replication.
    case repoint(InstanceKey, newSource: InstanceKey, statements: [String])
    /// Polls the replication status (bounded) until both threads of a repointed replica run.
    case awaitReplicating(InstanceKey, statusQuery: String, timeoutSeconds: Int)
    /// Makes the failed primary read-only, best effort.
    case setReadOnly(InstanceKey, statement: String)

    /// The server the step acts on.
    public var target: InstanceKey {
        switch self {
        case .stopReceiving(let key, _), .awaitRelayLogApplied(let key, _, _), .stopReplication(let key, _),
            .promote(let key, _), .repoint(let key, _, _), .awaitReplicating(let key, _, _), .setReadOnly(let key, _):
            key
        }
    }

    /// Whether the step changes the server (so the coordinator's permission is checked before it).
    public var changesServer: Bool {
        switch self {
        case .awaitRelayLogApplied, .awaitReplicating: false
        case .stopReceiving, .stopReplication, .promote, .repoint, .setReadOnly: true
        }
    }

    /// The statements the step sends, in order; for waits, the status query it polls.
    public var statements: [String] {
        switch self {
        case .stopReceiving(_, let statement), .stopReplication(_, let statement), .setReadOnly(_, let statement):
            [statement]
        case .promote(_, let statements), .repoint(_, _, let statements): statements
        case .awaitRelayLogApplied(_, let query, _), .awaitReplicating(_, let query, _): [query]
        }
    }

    /// A short stable name, for metadata and the audit.
    public var name: String {
        switch self {
        case .stopReceiving: "stop-receiving"
        case .awaitRelayLogApplied: "await-relay-log-applied"
        case .stopReplication: "stop-replication"
        case .promote: "promote"
        case .repoint: "repoint"
        case .awaitReplicating: "await-replicating"
        case .setReadOnly: "set-read-only"
        }
    }

    /// What the step does, for humans.
    public var description: String {
        switch self {
        case .stopReceiving(let key, _):
            "stop the IO thread of \(key)"
        case .awaitRelayLogApplied(let key, _, let seconds):
            "wait up to \(seconds) s for \(key) to apply its relay log"
        case .stopReplication(let key, _):
            "stop replication on \(key)"
        case .promote(let key, _):
            "promote \(key): reset its replication and make it writable"
        case .repoint(let key, let source, _):
            "repoint \(key) under \(source) by GTID and start replication"
        case .awaitReplicating(let key, _, let seconds):
            "wait up to \(seconds) s for \(key) to replicate"
        case .setReadOnly(let key, _):
            "set \(key) read-only (best effort)"
        }
    }
}
