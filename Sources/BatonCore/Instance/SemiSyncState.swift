/// Semi-synchronous replication variables and status of one instance (all zero/false when the plugin is absent).
public struct SemiSyncState: Hashable, Sendable, Codable {
    public var available: Bool = false
    public var sourceEnabled: Bool = false
    public var replicaEnabled: Bool = false
    public var sourceStatus: Bool = false
    public var replicaStatus: Bool = false
    public var sourceTimeoutMilliseconds: Int = 0
    public var sourceWaitForReplicaCount: Int = 0
    public var sourceClients: Int = 0

    public init() {}
}
