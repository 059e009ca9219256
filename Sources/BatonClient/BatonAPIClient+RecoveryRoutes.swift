import BatonCore

extension BatonAPIClient {
    /// `recover/…` or `recover-lite/…`: returns the promoted instance.
    public func recover(_ key: InstanceKey, candidate: InstanceKey?, lite: Bool) async throws -> InstanceKey {
        try await getEnvelope(InstanceKey.self, at: .recover(key, candidate: candidate, lite: lite))
    }

    /// `force-master-failover/…`: returns the recovery.
    public func forceMasterFailover(_ hint: ClusterHint) async throws -> TopologyRecoveryDocument {
        try await getEnvelope(TopologyRecoveryDocument.self, at: .forceMasterFailover(hint))
    }

    /// `graceful-master-takeover[-auto]/…`: returns the recovery.
    public func gracefulMasterTakeover(
        _ hint: ClusterHint, designated: InstanceKey?, auto: Bool
    ) async throws -> TopologyRecoveryDocument {
        try await getEnvelope(
            TopologyRecoveryDocument.self, at: .gracefulMasterTakeover(hint, designated: designated, auto: auto))
    }

    /// `audit-recovery…`: recoveries, newest first.
    public func auditRecovery(_ scope: [String] = [], unacknowledged: Bool = false) async throws -> [TopologyRecoveryDocument] {
        try await getRaw([TopologyRecoveryDocument].self, at: .auditRecovery(scope, unacknowledged: unacknowledged))
    }

    /// `audit-recovery-steps/:uid`.
    public func auditRecoverySteps(_ uid: String) async throws -> [TopologyRecoveryStepDocument] {
        try await getRaw([TopologyRecoveryStepDocument].self, at: .auditRecoverySteps(uid))
    }

    /// `active-cluster-recovery/:clusterName`.
    public func activeClusterRecovery(_ cluster: String) async throws -> [TopologyRecoveryDocument] {
        try await getRaw([TopologyRecoveryDocument].self, at: .activeClusterRecovery(cluster))
    }

    /// `blocked-recoveries[/cluster/:clusterName]`.
    public func blockedRecoveries(_ cluster: String?) async throws -> [BlockedRecoveryDocument] {
        try await getRaw([BlockedRecoveryDocument].self, at: .blockedRecoveries(cluster))
    }

    /// `ack-recovery/…` (or `ack-all-recoveries` for an empty scope): returns the server's message.
    public func acknowledgeRecoveries(_ scope: [String], comment: String) async throws -> String {
        try await getEnvelopeMessage(at: .acknowledge(scope, comment: comment))
    }

    /// `what-if/:host/:port`.
    public func whatIf(_ key: InstanceKey) async throws -> WhatIfReport {
        try await getEnvelope(WhatIfReport.self, at: .whatIf(key))
    }
}
