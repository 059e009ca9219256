import BatonCore

extension BatonAPIClient {
    /// `begin-downtime/…`: returns the key downtimed.
    public func beginDowntime(_ key: InstanceKey, owner: String, reason: String, duration: String?) async throws
        -> InstanceKey
    {
        try await getEnvelope(
            InstanceKey.self, at: .beginDowntime(key, owner: owner, reason: reason, duration: duration))
    }

    /// `end-downtime/…`: returns the key.
    public func endDowntime(_ key: InstanceKey) async throws -> InstanceKey {
        try await getEnvelope(InstanceKey.self, at: .endDowntime(key))
    }

    /// `downtimed`: the instances in downtime.
    public func downtimed() async throws -> [InstanceDocument] {
        try await getRaw([InstanceDocument].self, at: .downtimed)
    }

    /// `register-candidate/…`: returns the key.
    public func registerCandidate(_ key: InstanceKey, rule: String) async throws -> InstanceKey {
        try await getEnvelope(InstanceKey.self, at: .registerCandidate(key, rule: rule))
    }

    /// The global recovery switch: `enable-`, `disable-` or `check-global-recoveries`; returns "enabled" or
    /// "disabled".
    public func globalRecoveries(_ path: APIPath) async throws -> String {
        try await getEnvelope(String.self, at: path)
    }

    /// `replication-analysis`: the server's current verdicts.
    public func replicationAnalysis() async throws -> [ReplicationAnalysis] {
        try await getEnvelope([ReplicationAnalysis].self, at: .replicationAnalysis)
    }
}
