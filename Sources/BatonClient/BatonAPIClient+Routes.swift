import BatonCore

extension BatonAPIClient {
    /// `discover/:host/:port`: probes the instance now and returns what the server knows of it.
    public func discover(_ key: InstanceKey) async throws -> InstanceDocument {
        try await getEnvelope(InstanceDocument.self, at: .discover(key))
    }

    /// `forget/:host/:port`: removes the instance from the server's topology; returns the key forgotten.
    public func forget(_ key: InstanceKey) async throws -> InstanceKey {
        try await getEnvelope(InstanceKey.self, at: .forget(key))
    }

    /// `instance/:host/:port`: the server's view of one instance.
    public func instance(_ key: InstanceKey) async throws -> InstanceDocument {
        try await getRaw(InstanceDocument.self, at: .instance(key))
    }

    /// `clusters-info`: one summary per cluster.
    public func clustersInfo() async throws -> [ClusterInfo] {
        try await getRaw([ClusterInfo].self, at: .clustersInfo)
    }

    /// `clusters`: the cluster names.
    public func clusters() async throws -> [String] {
        try await getRaw([String].self, at: .clusters)
    }

    /// `topology/:clusterHint`: the cluster drawn as an ASCII tree, one instance per line.
    public func topology(_ hint: ClusterHint) async throws -> String {
        try await getEnvelope(String.self, at: .topology(hint))
    }

    /// `master/:clusterHint`: the cluster's primary.
    public func master(_ hint: ClusterHint) async throws -> InstanceDocument {
        try await getRaw(InstanceDocument.self, at: .master(hint))
    }

    /// `leader-check` on the chosen server: whether it answers HTTP 200.
    public func isLeader() async throws -> Bool {
        try await get(.leaderCheck).response.status == 200
    }
}
